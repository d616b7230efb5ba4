import { z } from 'zod'
import { EventType } from '@kickmon/shared/contracts/status'
import { Channel, ChannelType, Delivery, Rule, StreamerSet, Template, TestResult, type NotifierInput } from '@kickmon/shared/contracts/notifier'
import type { GatewayDeps } from '../deps.ts'
import type { NotifierClient } from '../clients/notifier-client.ts'
import { ANY_ROLE, route, type ApiRoute } from './define.ts'
import { IdParams, Limit } from './schemas.ts'

// Notification channels, rules and the delivery log (docs/notifications.md). Everything lives
// in the notifier: these routes pass the caller's actor over NATS, and the notifier checks
// role and ownership (every role manages its own; admins see all).

const ChannelBody = z.object({ type: ChannelType, name: z.string(), config: z.record(z.string(), z.unknown()) })
const RuleFields = {
  streamers: StreamerSet,
  events: z.array(EventType),
  min_viewers: z.number().int().nullable().optional(),
  cooldown_s: z.number().int().optional(),
  template: Template.nullable().optional(),
}
const Id = z.coerce.number({ error: 'must be a number' }).int().positive().max(Number.MAX_SAFE_INTEGER)

const ChannelPatch = z.object({ name: z.string().optional(), config: z.record(z.string(), z.unknown()).optional() }).strict()
const RulePatch = z.object({ streamers: RuleFields.streamers.optional(), events: RuleFields.events.optional(), min_viewers: RuleFields.min_viewers, cooldown_s: RuleFields.cooldown_s, template: RuleFields.template }).strict()

/** GET, PATCH and DELETE of one channel or rule (`/api/v1/notification-<what>/:id`): the id and the caller's actor go to the notifier. */
function oneById(
  n: NotifierClient, what: 'channels' | 'rules', one: { schema: z.ZodType; description: string }, patch: z.ZodObject,
  summary: { get: string; update: string; remove: string },
): ApiRoute[] {
  const byId = { path: `/api/v1/notification-${what}/:id`, tag: 'notifications', access: ANY_ROLE, params: IdParams, errors: [404] }
  const ok = { status: 200, ...one }
  const update = `${what}Update` as const
  return [
    route({ ...byId, method: 'GET', summary: summary.get, ok, handle: ({ caller, params, rid }) => n.call(`${what}Get`, { actor: caller.actor, id: params.id }, rid) }),
    route({
      ...byId, method: 'PATCH', summary: summary.update, body: patch, ok,
      // The body is the notifier's update input without actor and id (the notifier validates it again).
      handle: ({ caller, params, body, rid }) => n.call(update, { actor: caller.actor, id: params.id, ...body } as NotifierInput<typeof update>, rid),
    }),
    route({
      ...byId, method: 'DELETE', summary: summary.remove, ok: { status: 204, description: 'deleted' },
      handle: async ({ caller, params, rid }) => {
        await n.call(`${what}Delete`, { actor: caller.actor, id: params.id }, rid)
        return null
      },
    }),
  ]
}

export const notificationRoutes = (d: GatewayDeps) => {
  const n = d.notifier
  return [
    route({
      method: 'GET', path: '/api/v1/notification-channels', tag: 'notifications', access: ANY_ROLE,
      summary: 'Your notification channels (admins: everyone’s). Secrets are masked.',
      ok: { status: 200, schema: z.array(Channel), description: 'Channel[]' },
      handle: async ({ caller, rid }) => (await n.call('channelsList', { actor: caller.actor }, rid)).channels,
    }),
    route({
      method: 'POST', path: '/api/v1/notification-channels', tag: 'notifications', access: ANY_ROLE, body: ChannelBody,
      summary: 'Create a channel: {type, name, config}. For `webhook` the answer carries `secret` (whsec_…), shown this once.',
      ok: { status: 201, schema: Channel.extend({ secret: z.string().optional() }), description: 'Channel (+ secret)' },
      handle: async ({ caller, body, rid }) => {
        const r = await n.call('channelsCreate', { actor: caller.actor, ...body }, rid)
        return { ...r.channel, ...(r.secret ? { secret: r.secret } : {}) }
      },
    }),
    ...oneById(n, 'channels', { schema: Channel, description: 'Channel' }, ChannelPatch, {
      get: 'One channel.',
      update: 'Rename, or replace the whole config (which also clears `broken`).',
      remove: 'Delete a channel with its rules and delivery log.',
    }),
    route({
      method: 'POST', path: '/api/v1/notification-channels/:id/test', tag: 'notifications', access: ANY_ROLE, params: IdParams,
      summary: 'Send a real test message now; answers what the provider said.', errors: [404],
      ok: { status: 200, schema: TestResult, description: '{ok, provider_status, provider_answer, error}' },
      handle: ({ caller, params, rid }) => n.call('channelsTest', { actor: caller.actor, id: params.id }, rid),
    }),
    route({
      method: 'GET', path: '/api/v1/notification-rules', tag: 'notifications', access: ANY_ROLE,
      query: z.object({ channel_id: Id.optional(), slug: z.string().optional() }),
      summary: 'Your rules (admins: everyone’s), optionally for one channel or one streamer.',
      ok: { status: 200, schema: z.array(Rule), description: 'Rule[]' },
      handle: async ({ caller, query, rid }) => (await n.call('rulesList', { actor: caller.actor, ...query }, rid)).rules,
    }),
    route({
      method: 'POST', path: '/api/v1/notification-rules', tag: 'notifications', access: ANY_ROLE,
      body: z.object({ channel_id: z.number(), ...RuleFields }),
      summary: 'Create a rule: {channel_id, streamers: [slug…] | "*", events, min_viewers?, cooldown_s? (600), template?}.', errors: [404],
      ok: { status: 201, schema: Rule, description: 'Rule' },
      handle: ({ caller, body, rid }) => n.call('rulesCreate', { actor: caller.actor, ...body }, rid),
    }),
    ...oneById(n, 'rules', { schema: Rule, description: 'Rule' }, RulePatch, {
      get: 'One rule.',
      update: 'Change a rule’s streamers, events, min_viewers, cooldown_s or template.',
      remove: 'Delete a rule.',
    }),
    route({
      method: 'POST', path: '/api/v1/notification-templates/preview', tag: 'notifications', access: ANY_ROLE,
      body: z.object({ channel_type: ChannelType, event_type: EventType.optional(), template: Template.nullable().optional() }),
      summary: 'Render a template (or the type’s default) against a sample event. Changes nothing.',
      ok: { status: 200, schema: z.object({ text: z.string(), used_default: z.boolean(), error: z.string().nullable() }), description: '{text, used_default, error}' },
      handle: ({ caller, body, rid }) => n.call('templatesPreview', { actor: caller.actor, ...body }, rid),
    }),
    route({
      method: 'GET', path: '/api/v1/notification-deliveries', tag: 'notifications', access: ANY_ROLE,
      query: z.object({ channel_id: Id.optional(), rule_id: Id.optional(), limit: Limit(500, 50), before: Id.optional() }),
      summary: 'The delivery log, newest first: status, attempts, the provider’s answer, the error. Page with `before` (the last id).',
      ok: { status: 200, schema: z.array(Delivery), description: 'Delivery[]' },
      handle: async ({ caller, query, rid }) => (await n.call('deliveriesList', { actor: caller.actor, ...query }, rid)).deliveries,
    }),
  ]
}
