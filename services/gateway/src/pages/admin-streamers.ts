import { Elysia } from 'elysia'
import { z } from 'zod'
import { AppError, isAppError } from '@kickmon/shared/errors'
import { Slug, parseInput } from '@kickmon/shared/validation'
import { ADMIN } from '../api/define.ts'
import { AuditQuery } from '../api/audit.ts'
import type { GatewayDeps } from '../deps.ts'
import { html } from '../views/html.ts'
import { purgeArchived } from '../streamers/archived-streamers.ts'
import { addStreamer, removeStreamerFor } from '../streamers/streamer-actions.ts'
import { notice } from '../views/components.ts'
import { adminStreamersPage, importResults, monitoredRow, type ImportResult } from '../views/admin-streamers.ts'
import { actionCaller, formInput, htmlResponse, pageCaller, slugFromInput, slugsFromList } from './page-kit.ts'

const MAX_IMPORT = 500
const IMPORT_CONCURRENCY = 4

export const adminStreamerPages = (d: GatewayDeps) =>
  new Elysia({ name: 'admin-streamer-pages' })
    .get('/admin/streamers', async ({ request, server }) => {
      const p = await pageCaller(d, request, ADMIN, server)
      if (p instanceof Response) return p
      const aq = parseInput(AuditQuery.pick({ before: true, action: true }), { before: p.query.audit_before, action: p.query.action || undefined })
      const audit = await d.auth.call('auditList', { actor: p.caller.actor, limit: 50, ...aq }, p.rid).catch((e) => {
        if (isAppError(e) && e.status < 500) throw e
        return null
      })
      const archived = await d.poller.call('archived', {}, { requestId: p.rid }).catch(() => null)
      return htmlResponse(adminStreamersPage({ user: p.caller.user, csrf: p.caller.csrf ?? '', streamers: d.statuses.all(), archived, audit, auditAction: aq.action ?? '' }))
    })
    .post('/admin/streamers', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, body, server)
      const { slug } = formInput(z.object({ slug: z.string().min(1, 'enter a slug or a kick.com link').max(200) }), body)
      const r = await addStreamer(d, caller, slugFromInput(slug), rid)
      const what = r.created ? 'now monitored' : r.resumed ? 'monitored again, with its history' : 'already monitored'
      return htmlResponse(html`${notice(html`<a href="/streamers/${r.slug}">${r.status.username || r.slug}</a>: ${what}.`)}${
        r.created || r.resumed ? html`<hx-partial hx-target="#monitored-body" hx-swap="afterbegin">${monitoredRow(r.status)}</hx-partial>` : ''
      }${r.resumed ? html`<hx-partial hx-target="#a-${r.slug}" hx-swap="delete"></hx-partial>` : ''}`, r.created || r.resumed ? 201 : 200)
    })
    .post('/admin/streamers/import', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, body, server)
      const { list } = formInput(z.object({ list: z.string().min(1, 'paste at least one slug').max(100_000) }), body)
      const inputs = [...new Set(list.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))]
      if (inputs.length > MAX_IMPORT) throw new AppError('VALIDATION', `at most ${MAX_IMPORT} streamers per import (got ${inputs.length})`)
      const results: ImportResult[] = new Array(inputs.length)
      let next = 0
      const worker = async () => {
        for (let i = next++; i < inputs.length; i = next++) results[i] = await importOne(inputs[i]!)
      }
      const importOne = async (input: string): Promise<ImportResult> => {
        const parsed = Slug.safeParse(slugsFromList(input)[0] ?? '')
        if (!parsed.success) return { input, slug: null, outcome: 'invalid', message: 'not a Kick slug (1–25 of a-z, 0-9, - and _)' }
        try {
          const r = await addStreamer(d, caller, parsed.data, rid)
          return { input, slug: r.slug, outcome: r.created || r.resumed ? 'added' : 'exists', message: r.created ? 'added' : r.resumed ? 'resumed with its history' : 'already monitored' }
        } catch (e) {
          if (isAppError(e, 'NOT_FOUND')) return { input, slug: parsed.data, outcome: 'not_found', message: e.message }
          return { input, slug: parsed.data, outcome: 'failed', message: isAppError(e) ? e.message : 'failed' }
        }
      }
      await Promise.all(Array.from({ length: IMPORT_CONCURRENCY }, worker))
      return htmlResponse(importResults(results))
    })
    .delete('/admin/streamers/:slug', async ({ request, params, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, undefined, server)
      await removeStreamerFor(d, caller, params.slug, rid)
      return htmlResponse('')
    })
    // Purge needs the slug typed again: it is the one action here that deletes history.
    .post('/admin/streamers/:slug/purge', async ({ request, params, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, body, server)
      const slug = parseInput(Slug, params.slug)
      const { confirm } = formInput(z.object({ confirm: z.string().max(200).optional() }), body)
      if ((confirm ?? '').trim().toLowerCase() !== slug) throw new AppError('VALIDATION', `confirm: type "${slug}" to purge its history`)
      const r = await purgeArchived(d, caller, slug, rid)
      return htmlResponse(html`${notice(`${slug} purged: ${r.events} events, ${r.sessions} streams and ${r.samples} viewer samples deleted.`)}<hx-partial hx-target="#a-${slug}" hx-swap="delete"></hx-partial>`)
    })
