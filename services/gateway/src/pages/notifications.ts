import { Elysia } from 'elysia'
import { z } from 'zod'
import { AppError } from '@kickmon/shared/errors'
import { ChannelType, CHANNEL_CONFIGS } from '@kickmon/shared/contracts/notifier'
import { Slug } from '@kickmon/shared/validation'
import { parseInput } from '@kickmon/shared/validation'
import { ANY_ROLE } from '../api/define.ts'
import { IdParams } from '../api/schemas.ts'
import type { GatewayDeps } from '../deps.ts'
import { html } from '../views/html.ts'
import type { Caller } from '../identity/request-auth.ts'
import { notice } from '../views/components.ts'
import { channelCreated, deliveryRows, notificationsPage, notifyMe, ruleCreated, testResult } from '../views/notifications.ts'
import { actionCaller, formInput, htmlResponse, pageCaller, type PageServer } from './page-kit.ts'

// The /notifications page and its htmx actions, and the streamer page's "notify me" control.
// Forms are turned into the same requests the JSON API makes; the notifier checks everything.

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : [])
const blank = (v: unknown) => typeof v !== 'string' || v.trim() === ''
const num = (v: unknown) => (blank(v) ? undefined : Number(v))

/** A type's form fields → its config object (numbers as numbers; blank optional fields left out). */
function configFromForm(type: ChannelType, f: Record<string, unknown>): Record<string, unknown> {
  const shape = (CHANNEL_CONFIGS[type] as unknown as { shape: Record<string, unknown> }).shape
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(shape)) {
    const v = f[k]
    if (blank(v)) continue
    out[k] = ['update_every_s', 'priority'].includes(k) ? Number(v) : k === 'chat_id' && /^-?\d+$/.test(String(v)) ? Number(v) : String(v).trim()
  }
  return out
}

const RuleForm = z.object({ channel_id: z.coerce.number({ error: 'choose a channel' }).int().positive() })

export const notificationPages = (d: GatewayDeps) => {
  const n = d.notifier
  const visibleSlugs = async (c: Caller, rid: string) =>
    (await d.access.filter(c, d.statuses.all(), rid)).map((s) => s.slug).sort()
  const channelsOf = async (c: Caller, rid: string) => (await n.call('channelsList', { actor: c.actor }, rid)).channels
  const notifyMeFragment = async (c: Caller, rid: string, slug: string, message?: ReturnType<typeof notice>) => {
    const [channels, rules] = await Promise.all([channelsOf(c, rid), n.call('rulesList', { actor: c.actor, slug }, rid).then((r) => r.rules)])
    // An admin sees everyone's channels; "notify me" offers only their own.
    const mine = channels.filter((ch) => ch.owner_id === c.user.id)
    return notifyMe({ slug, channels: mine, rules: rules.filter((r) => r.owner_id === c.user.id), message })
  }
  // A channel's or a rule's delete button: the notifier checks that it is the caller's; the row goes.
  const deleteOne = (call: 'channelsDelete' | 'rulesDelete') => async ({ request, params, server }: { request: Request; params: Record<string, string>; server: PageServer }) => {
    const { caller, rid } = await actionCaller(d, request, ANY_ROLE, undefined, server)
    const { id } = parseInput(IdParams, params)
    await n.call(call, { actor: caller.actor, id }, rid)
    return htmlResponse('')
  }

  return new Elysia({ name: 'notification-pages' })
    .get('/notifications', async ({ request, server }) => {
      const p = await pageCaller(d, request, ANY_ROLE, server)
      if (p instanceof Response) return p
      const a = { actor: p.caller.actor }
      const [channels, rules, deliveries, streamers] = await Promise.all([
        n.call('channelsList', a, p.rid).then((r) => r.channels, () => null),
        n.call('rulesList', a, p.rid).then((r) => r.rules, () => []),
        n.call('deliveriesList', { ...a, limit: 50 }, p.rid).then((r) => r.deliveries, () => []),
        visibleSlugs(p.caller, p.rid),
      ])
      return htmlResponse(notificationsPage({ user: p.caller.user, csrf: p.caller.csrf ?? '', channels, rules, deliveries, streamers }))
    })
    .get('/notifications/deliveries', async ({ request, server }) => {
      const p = await pageCaller(d, request, ANY_ROLE, server)
      if (p instanceof Response) throw new AppError('UNAUTHENTICATED', 'your session has ended; log in again')
      const [channels, deliveries] = await Promise.all([channelsOf(p.caller, p.rid), n.call('deliveriesList', { actor: p.caller.actor, limit: 50 }, p.rid)])
      return htmlResponse(deliveryRows(deliveries.deliveries, channels))
    })
    .post('/notifications/channels', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, body, server)
      const f = (body ?? {}) as Record<string, unknown>
      const { type, name } = formInput(z.object({ type: ChannelType, name: z.string().trim() }), f)
      const r = await n.call('channelsCreate', { actor: caller.actor, type, name, config: configFromForm(type, f) }, rid)
      return htmlResponse(channelCreated(r.channel, r.secret), 201)
    })
    .post('/notifications/channels/:id/test', async ({ request, params, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, undefined, server)
      const { id } = parseInput(IdParams, params)
      return htmlResponse(testResult(await n.call('channelsTest', { actor: caller.actor, id }, rid)))
    })
    .delete('/notifications/channels/:id', deleteOne('channelsDelete'))
    .post('/notifications/rules', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, body, server)
      const f = (body ?? {}) as Record<string, unknown>
      const { channel_id } = formInput(RuleForm, f)
      const streamers = f.all ? '*' : list(f.streamers)
      const r = await n.call('rulesCreate', {
        actor: caller.actor, channel_id, streamers: streamers as '*' | string[], events: list(f.events) as never,
        min_viewers: num(f.min_viewers) ?? null, cooldown_s: num(f.cooldown_s), template: blank(f.template) ? null : String(f.template),
      }, rid)
      return htmlResponse(ruleCreated(r, await channelsOf(caller, rid)), 201)
    })
    .delete('/notifications/rules/:id', deleteOne('rulesDelete'))
    .post('/notifications/preview', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, body, server)
      const f = (body ?? {}) as Record<string, unknown>
      const { channel_id } = formInput(RuleForm, f)
      const ch = (await channelsOf(caller, rid)).find((c) => c.id === channel_id)
      if (!ch) throw new AppError('NOT_FOUND', 'there is no channel with that id')
      const r = await n.call('templatesPreview', { actor: caller.actor, channel_type: ch.type, event_type: 'online', template: blank(f.template) ? null : String(f.template) }, rid)
      return htmlResponse(html`<div class="notice" role="status"><p>preview (${r.used_default ? 'the default' : 'your template'}, sample go-live):</p><pre class="preview">${r.text}</pre>${r.error ? html`<p class="error">${r.error}</p>` : ''}</div>`)
    })
    .get('/notifications/notify-me/:slug', async ({ request, params, server }) => {
      const p = await pageCaller(d, request, ANY_ROLE, server)
      if (p instanceof Response) throw new AppError('UNAUTHENTICATED', 'your session has ended; log in again')
      const slug = parseInput(Slug, params.slug)
      if (!(await d.access.maySee(p.caller, slug, p.rid))) throw new AppError('NOT_FOUND', 'no such streamer')
      return htmlResponse(await notifyMeFragment(p.caller, p.rid, slug))
    })
    .post('/notifications/notify-me/:slug', async ({ request, params, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, body, server)
      const slug = parseInput(Slug, params.slug)
      const { channel_id } = formInput(RuleForm, body)
      await n.call('rulesCreate', { actor: caller.actor, channel_id, streamers: [slug], events: ['online', 'offline'] }, rid)
      return htmlResponse(await notifyMeFragment(caller, rid, slug, notice('done: you will be told when this streamer goes live')))
    })
    .delete('/notifications/notify-me/:slug/:id', async ({ request, params, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, undefined, server)
      const slug = parseInput(Slug, params.slug)
      const { id } = parseInput(IdParams, { id: params.id })
      const rule = await n.call('rulesGet', { actor: caller.actor, id }, rid)
      // A rule for several streamers loses only this one; a rule for just this one goes.
      if (rule.streamers !== '*' && rule.streamers.length > 1) await n.call('rulesUpdate', { actor: caller.actor, id, streamers: rule.streamers.filter((s) => s !== slug) }, rid)
      else await n.call('rulesDelete', { actor: caller.actor, id }, rid)
      return htmlResponse(await notifyMeFragment(caller, rid, slug, notice('stopped')))
    })
}
