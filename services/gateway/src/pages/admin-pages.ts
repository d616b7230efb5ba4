import { Elysia } from 'elysia'
import { z } from 'zod'
import { AppError } from '@kickmon/shared/errors'
import { PageInput, PagePatch, PageSlug } from '@kickmon/shared/contracts/public'
import { parseInput } from '@kickmon/shared/validation'
import { ADMIN } from '../api/define.ts'
import type { GatewayDeps } from '../deps.ts'
import { clientOrigin } from '../public/origin.ts'
import { html } from '../views/html.ts'
import { notice } from '../views/components.ts'
import { adminPagesPage } from '../views/admin-pages.ts'
import { actionCaller, formInput, htmlResponse, pageCaller } from './page-kit.ts'

const lines = (s: string | undefined) => (s ?? '').split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean)

/** The form's text fields as the API's page definition (checkboxes: present or not). */
const PageForm = z.object({
  editing: z.string().optional(),
  slug: z.string().max(100),
  title: z.string().max(200),
  description: z.string().max(1000).optional(),
  streamers: z.string().max(10_000),
  show_viewers: z.string().optional(),
  show_history: z.string().optional(),
  embed_origins: z.string().max(5000).optional(),
})

export const adminPagesRoutes = (d: GatewayDeps) =>
  new Elysia({ name: 'admin-pages' })
    .get('/admin/pages', async ({ request, server }) => {
      const p = await pageCaller(d, request, ADMIN, server)
      if (p instanceof Response) return p
      const { pages } = await d.pub.auth.call('pagesList', { actor: p.caller.actor }, p.rid)
      const edit = p.query.edit
      const editing = edit ? (pages.find((x) => x.slug === edit) ?? null) : null
      return htmlResponse(adminPagesPage({ user: p.caller.user, csrf: p.caller.csrf ?? '', origin: clientOrigin(request), pages, editing }))
    })
    .post('/admin/pages', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, body, server)
      const f = formInput(PageForm, body)
      const streamers = lines(f.streamers).map((s) => s.toLowerCase())
      const unknown = streamers.filter((s) => !d.statuses.get(s))
      if (unknown.length) throw new AppError('VALIDATION', `streamers: not monitored (add them first): ${unknown.slice(0, 20).join(', ')}`)
      const fields = {
        title: f.title, description: f.description?.trim() ? f.description : null, streamers,
        show_viewers: !!f.show_viewers, show_history: !!f.show_history, embed_origins: lines(f.embed_origins),
      }
      // Checked here, so a message names the form's field (as the API's would).
      const saved = f.editing
        ? await d.pub.auth.call('pagesUpdate', { actor: caller.actor, slug: parseInput(PageSlug, f.editing), patch: parseInput(PagePatch, fields) }, rid)
        : await d.pub.auth.call('pagesCreate', { actor: caller.actor, page: parseInput(PageInput, { slug: f.slug.trim(), ...fields }) }, rid)
      await d.pub.pages.reload()
      return htmlResponse(notice(html`saved: <a href="/p/${saved.slug}">/p/${saved.slug}</a> (reload this page for the snippets)`), f.editing ? 200 : 201)
    })
    .delete('/admin/pages/:slug', async ({ request, params, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, undefined, server)
      await d.pub.auth.call('pagesDelete', { actor: caller.actor, slug: parseInput(z.object({ slug: PageSlug }), params).slug }, rid)
      await d.pub.pages.reload()
      return htmlResponse('')
    })
