import { z } from 'zod'
import { Actor } from './auth.ts'
import { EventType } from './status.ts'
import { Slug } from '../validation.ts'

// The notifier's NATS contract: every request and reply schema and every subject
// (`notifier.<noun>.<verb>`). The gateway and the CLI import these; services/notifier parses
// requests with them. Every call names its `actor` (as for auth): the notifier resolves it
// through auth and checks role and ownership itself. docs/notifications.md and docs/nats.md
// describe them for people.

const iso = z.iso.datetime({ offset: true })
const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)
const api = <S extends string, I extends z.ZodType, O extends z.ZodType>(subject: S, input: I, output: O) => ({ subject, input, output })
const withActor = <T extends z.ZodRawShape>(shape: T) => z.object({ actor: Actor, ...shape })
const Ok = z.object({ ok: z.literal(true) })

/** Bounded text without NUL (PostgreSQL text cannot hold one). */
const text = (max: number, what: string) =>
  z.string().min(1, `${what} must not be empty`).max(max, `${what} may have at most ${max} characters`).refine((s) => !s.includes('\u0000'), `${what} must not contain NUL characters`)

const httpUrl = (what: string) =>
  z
    .string()
    .max(2048, `${what} may have at most 2048 characters`)
    .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), `${what} must be an http(s) URL`)

export const ChannelType = z.enum(['discord', 'telegram', 'ntfy', 'slack', 'webhook', 'email'])
export type ChannelType = z.infer<typeof ChannelType>

/** Edits of a live message at most this often (seconds). */
const UpdateEvery = z.number().int().min(30, 'update_every_s must be at least 30').max(86_400).default(300)

// Each type's settings. Secret fields (URLs carrying tokens, bot tokens) are sealed at rest
// and masked in every answer; `SECRET_FIELDS` names them.
export const DiscordConfig = z.strictObject({
  webhook_url: httpUrl('webhook_url').refine((s) => URL.canParse(s) && /^\/api(\/v\d+)?\/webhooks\/\d+\/[\w-]+\/?$/.test(new URL(s).pathname), 'webhook_url must be a Discord webhook URL (…/api/webhooks/<id>/<token>)'),
  username: text(80, 'username').optional(),
  update_every_s: UpdateEvery,
})
export const TelegramConfig = z.strictObject({
  bot_token: z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'bot_token must look like 123456789:AA… (from @BotFather)'),
  chat_id: z.union([z.number().int(), z.string().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, 'chat_id must be a number or @channelname')]),
  api_url: httpUrl('api_url').default('https://api.telegram.org'),
  update_every_s: UpdateEvery,
})
export const NtfyConfig = z.strictObject({
  server_url: httpUrl('server_url').default('https://ntfy.sh'),
  topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, 'topic is 1–64 characters of A-Z, a-z, 0-9, "-" or "_"'),
  token: text(256, 'token').optional(),
  priority: z.number().int().min(1).max(5).default(3),
  tags: z.array(z.string().regex(/^[-_A-Za-z0-9]{1,32}$/, 'a tag is 1–32 characters of A-Z, a-z, 0-9, "-" or "_"')).max(5).default([]),
  update_every_s: UpdateEvery,
})
export const SlackConfig = z.strictObject({
  webhook_url: httpUrl('webhook_url').refine((s) => URL.canParse(s) && /^\/services\/[\w-]+\/[\w-]+\/[\w-]+\/?$/.test(new URL(s).pathname), 'webhook_url must be a Slack incoming webhook URL (…/services/T…/B…/…)'),
})
export const WebhookConfig = z.strictObject({ url: httpUrl('url') })
export const EmailConfig = z.strictObject({ to: z.email('to must be an e-mail address').max(254) })

export const CHANNEL_CONFIGS = {
  discord: DiscordConfig,
  telegram: TelegramConfig,
  ntfy: NtfyConfig,
  slack: SlackConfig,
  webhook: WebhookConfig,
  email: EmailConfig,
} as const

export const SECRET_FIELDS: Record<ChannelType, readonly string[]> = {
  discord: ['webhook_url'],
  telegram: ['bot_token'],
  ntfy: ['token'],
  slack: ['webhook_url'],
  webhook: ['url'],
  email: [],
}

export const Channel = z.object({
  id: z.number().int(),
  owner_id: z.number().int().nullable(),
  type: ChannelType,
  name: z.string(),
  /** The settings with every secret masked. */
  config: z.record(z.string(), z.unknown()),
  broken: z.boolean(),
  broken_reason: z.string().nullable(),
  created_at: iso,
  updated_at: iso,
})
export type Channel = z.infer<typeof Channel>

/** `config` is checked against the type's schema by the notifier (errors name `config.<field>`). */
const ChannelCreate = withActor({ type: ChannelType, name: text(100, 'name'), config: z.record(z.string(), z.unknown()) })

export const StreamerSet = z.union([z.literal('*'), z.array(Slug).min(1, 'streamers must name at least one streamer, or be "*"').max(1000)])
export const Template = z.string().max(4000, 'template may have at most 4000 characters').refine((s) => !s.includes('\u0000'), 'template must not contain NUL characters')

export const Rule = z.object({
  id: z.number().int(),
  owner_id: z.number().int().nullable(),
  channel_id: z.number().int(),
  streamers: z.union([z.literal('*'), z.array(z.string())]),
  events: z.array(EventType),
  min_viewers: z.number().int().nullable(),
  cooldown_s: z.number().int(),
  template: z.string().nullable(),
  created_at: iso,
})
export type Rule = z.infer<typeof Rule>

const RuleFields = {
  streamers: StreamerSet,
  events: z.array(EventType).min(1, 'events must name at least one of online, offline, title, category').max(4),
  min_viewers: z.number().int().min(0).max(100_000_000).nullable().optional(),
  cooldown_s: z.number().int().min(0).max(86_400).optional(),
  template: Template.nullable().optional(),
}

export const DeliveryStatus = z.enum(['pending', 'sending', 'sent', 'failed', 'skipped'])
export const Delivery = z.object({
  id: z.number().int(),
  rule_id: z.number().int(),
  channel_id: z.number().int(),
  channel_type: ChannelType,
  event_id: z.string(),
  event_type: EventType,
  slug: z.string(),
  event_at: iso,
  status: DeliveryStatus,
  attempts: z.number().int(),
  provider_status: z.number().int().nullable(),
  provider_answer: z.string().nullable(),
  error: z.string().nullable(),
  note: z.string().nullable(),
  recorded_at: iso,
  done_at: iso.nullable(),
})
export type Delivery = z.infer<typeof Delivery>

export const TestResult = z.object({
  ok: z.boolean(),
  provider_status: z.number().int().nullable(),
  provider_answer: z.string().nullable(),
  error: z.string().nullable(),
})
export type TestResult = z.infer<typeof TestResult>

export const NotifierApi = {
  channelsCreate: api(
    'notifier.channels.create',
    ChannelCreate,
    /** `secret` (webhook channels: the `whsec_…` signing secret) is shown this once. */
    z.object({ channel: Channel, secret: z.string().optional() }),
  ),
  channelsList: api('notifier.channels.list', withActor({}), z.object({ channels: z.array(Channel) })),
  channelsGet: api('notifier.channels.get', withActor({ id: Id }), Channel),
  /** A new `config` replaces the old one whole (and clears `broken`). */
  channelsUpdate: api('notifier.channels.update', withActor({ id: Id, name: text(100, 'name').optional(), config: z.record(z.string(), z.unknown()).optional() }), Channel),
  channelsDelete: api('notifier.channels.delete', withActor({ id: Id }), Ok),
  /** Sends a real message now and answers with what the provider said. */
  channelsTest: api('notifier.channels.test', withActor({ id: Id }), TestResult),

  rulesCreate: api('notifier.rules.create', withActor({ channel_id: Id, ...RuleFields }), Rule),
  rulesList: api('notifier.rules.list', withActor({ channel_id: Id.optional(), slug: Slug.optional() }), z.object({ rules: z.array(Rule) })),
  rulesGet: api('notifier.rules.get', withActor({ id: Id }), Rule),
  rulesUpdate: api(
    'notifier.rules.update',
    withActor({ id: Id, streamers: StreamerSet.optional(), events: RuleFields.events.optional(), min_viewers: RuleFields.min_viewers, cooldown_s: RuleFields.cooldown_s, template: RuleFields.template }),
    Rule,
  ),
  rulesDelete: api('notifier.rules.delete', withActor({ id: Id }), Ok),
  /** Renders a template (or the type's default) against a sample event. */
  templatesPreview: api(
    'notifier.templates.preview',
    withActor({ channel_type: ChannelType, event_type: EventType.default('online'), template: Template.nullable().optional() }),
    z.object({ text: z.string(), used_default: z.boolean(), error: z.string().nullable() }),
  ),

  deliveriesList: api(
    'notifier.deliveries.list',
    withActor({ channel_id: Id.optional(), rule_id: Id.optional(), limit: z.number().int().min(1).max(500).default(50), before: Id.optional() }),
    z.object({ deliveries: z.array(Delivery) }),
  ),
} as const

export type NotifierEndpointName = keyof typeof NotifierApi
export type NotifierInput<K extends NotifierEndpointName> = z.input<(typeof NotifierApi)[K]['input']>
export type NotifierOutput<K extends NotifierEndpointName> = z.infer<(typeof NotifierApi)[K]['output']>

/** The notifier publishes each finished delivery here (the /notifications page's live log). */
export const DELIVERY_UPDATES_SUBJECT = 'kickmon.notifier.deliveries.updated'
export const DeliveryUpdate = z.object({ delivery: Delivery, owner_id: z.number().int().nullable() })
export type DeliveryUpdate = z.infer<typeof DeliveryUpdate>

/** The durable consumer on KICK_EVENTS every notifier instance shares. */
export const NOTIFIER_DURABLE = 'notifier'
