import { Elysia } from 'elysia'
import { z } from 'zod'
import { DisplayName, NewPassword, Role, Username } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import { parseInput } from '@kickmon/shared/validation'
import { Slug } from '@kickmon/shared/validation'
import { ADMIN } from '../api/define.ts'
import { IdParams } from '../api/schemas.ts'
import { requireMonitored } from '../api/users.ts'
import type { GatewayDeps } from '../deps.ts'
import { html } from '../views/html.ts'
import { notice } from '../views/components.ts'
import { adminUsersPage, assignEditor, assignRow, userRow, USERS_PER_PAGE } from '../views/admin-users.ts'
import { actionCaller, formInput, htmlResponse, pageCaller, slugsFromList } from './page-kit.ts'

/** A form field that may come once (a string) or many times (an array). */
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : [])
const slugList = (values: string[]) => values.map((s) => parseInput(Slug, s))
const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v)

const CreateForm = z.object({
  username: Username, password: NewPassword, role: Role,
  display_name: z.preprocess(blankToNull, DisplayName.nullable().optional()),
})
const PatchForm = z.object({ role: Role.optional(), disabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional() })
const BulkForm = z.object({ slugs: z.string().min(1, 'enter at least one slug (or * for all)').max(200_000), action: z.enum(['add', 'remove', 'replace']) })

export const adminUserPages = (d: GatewayDeps) =>
  new Elysia({ name: 'admin-user-pages' })
    .get('/admin/users', async ({ request, server }) => {
      const p = await pageCaller(d, request, ADMIN, server)
      if (p instanceof Response) return p
      const { page } = parseInput(z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1) }), p.query)
      const offset = (page - 1) * USERS_PER_PAGE
      const r = await d.auth.call('usersList', { actor: p.caller.actor, limit: USERS_PER_PAGE, offset }, p.rid)
      return htmlResponse(adminUsersPage({ user: p.caller.user, csrf: p.caller.csrf ?? '', users: r.users, total: r.total, offset, monitored: d.statuses.all() }))
    })
    .post('/admin/users', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, body, server)
      const input = formInput(CreateForm, body)
      const u = await d.auth.call('usersCreate', { actor: caller.actor, ...input }, rid)
      return htmlResponse(html`${notice(html`created <b>${u.username}</b> [${u.role}]${u.role !== 'admin' ? ': open “streamers…” on their row to assign streamers' : ''}`)}<hx-partial hx-target="#users-body" hx-swap="beforeend">${userRow(u, caller.user)}${assignRow(u)}</hx-partial>`, 201)
    })
    .patch('/admin/users/:id', async ({ request, params, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, body, server)
      const { id } = parseInput(IdParams, params)
      const patch = formInput(PatchForm, body)
      if (patch.role === undefined && patch.disabled === undefined) throw new AppError('VALIDATION', 'send role or disabled')
      const u = await d.auth.call('usersUpdate', { actor: caller.actor, user_id: id, ...patch }, rid)
      return htmlResponse(userRow(u, caller.user))
    })
    .post('/admin/users/:id/password', async ({ request, params, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, body, server)
      const { id } = parseInput(IdParams, params)
      const { password } = formInput(z.object({ password: NewPassword }), body)
      if (id === caller.user.id) throw new AppError('FORBIDDEN', 'change your own password on your account page, with your current password')
      await d.auth.call('usersSetPassword', { actor: caller.actor, user_id: id, password }, rid)
      return htmlResponse(notice('password set; their sessions have ended'))
    })
    .delete('/admin/users/:id', async ({ request, params, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, undefined, server)
      const { id } = parseInput(IdParams, params)
      const u = await d.auth.call('usersGet', { actor: caller.actor, user_id: id }, rid)
      await d.auth.call('usersDelete', { actor: caller.actor, user_id: id }, rid)
      return htmlResponse(html`<tr id="assign-row-${u.id}" hx-swap-oob="delete"></tr>`)
    })
    .get('/admin/users/:id/streamers', async ({ request, params, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, undefined, server)
      const { id } = parseInput(IdParams, params)
      const [u, a] = await Promise.all([
        d.auth.call('usersGet', { actor: caller.actor, user_id: id }, rid),
        d.auth.call('assignmentsGet', { actor: caller.actor, user_id: id }, rid),
      ])
      return htmlResponse(assignEditor(u, a.slugs, d.statuses.all()))
    })
    .put('/admin/users/:id/streamers', async ({ request, params, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, body, server)
      const { id } = parseInput(IdParams, params)
      const form = (body ?? {}) as Record<string, unknown>
      const slugs = [...new Set([...slugList(list(form.slugs)), ...slugList(slugsFromList(typeof form.paste === 'string' ? form.paste : ''))])]
      requireMonitored(d, slugs)
      // The editor shows monitored streamers only: assignments it cannot show (archived streamers',
      // which come back with them) are kept, not dropped by a save nobody meant for them.
      const kept = (await d.auth.call('assignmentsGet', { actor: caller.actor, user_id: id }, rid)).slugs.filter((s) => !d.statuses.get(s))
      await d.auth.call('assignmentsSet', { actor: caller.actor, user_id: id, slugs: [...new Set([...slugs, ...kept])] }, rid)
      d.access.forget(id)
      return htmlResponse(notice(`saved: ${slugs.length} streamer${slugs.length === 1 ? '' : 's'}${kept.length ? ` (and ${kept.length} not monitored now, kept for when they are added again)` : ''}`))
    })
    .post('/admin/users/bulk-assign', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ADMIN, body, server)
      const form = (body ?? {}) as Record<string, unknown>
      const { slugs: text, action } = formInput(BulkForm, body)
      const ids = list(form.user_ids).map((v) => parseInput(IdParams, { id: v }).id)
      if (!ids.length) throw new AppError('VALIDATION', 'tick at least one user')
      const slugs = text.trim() === '*' ? d.statuses.all().map((s) => s.slug) : slugList(slugsFromList(text))
      if (action !== 'remove') requireMonitored(d, slugs)
      let changed = 0
      for (const id of ids) {
        const cur = await d.auth.call('assignmentsGet', { actor: caller.actor, user_id: id }, rid)
        const next = action === 'replace' ? new Set(slugs) : new Set(cur.slugs)
        if (action === 'add') for (const s of slugs) next.add(s)
        if (action === 'remove') for (const s of slugs) next.delete(s)
        if (next.size === cur.slugs.length && cur.slugs.every((s) => next.has(s))) continue
        await d.auth.call('assignmentsSet', { actor: caller.actor, user_id: id, slugs: [...next] }, rid)
        d.access.forget(id)
        changed++
      }
      return htmlResponse(notice(`${action}: ${slugs.length} streamer${slugs.length === 1 ? '' : 's'} × ${ids.length} user${ids.length === 1 ? '' : 's'}; ${changed} list${changed === 1 ? '' : 's'} changed`))
    })
