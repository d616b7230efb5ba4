// NATS names shared by several services (docs/nats.md lists every one). Each owner's own
// names and request/reply subjects are in its contract file beside this one (poller.ts,
// auth.ts, auth-internal.ts, public.ts, notifier.ts); nothing outside this folder spells a
// NATS name (tests/unit/nats-names.test.ts checks it).
export const STATUS_BUCKET = 'kick-status'
export const EVENTS_STREAM = 'KICK_EVENTS'
export const WEBHOOKS_STREAM = 'KICK_WEBHOOKS'

/** The JetStream stream that holds a KV bucket (nats.js names it so; permissions and replicas need it). */
export const kvStream = (bucket: string) => `KV_${bucket}`

const WEBHOOKS = 'kick.webhooks.'

export const subjects = {
  status: (slug: string) => `kick.status.${slug}`,
  statusAll: 'kick.status.>',
  event: (slug: string, type: string) => `kick.events.${slug}.${type}`,
  eventsAll: 'kick.events.>',
  webhook: (eventName: string) => `${WEBHOOKS}${eventName}`,
  webhooksAll: `${WEBHOOKS}>`,
  /** The poller publishes `StreamerRemoved` (`{slug}`, contracts/poller.ts) here when a streamer stops being monitored. */
  streamerRemoved: 'kickmon.poller.streamers.removed',
  /** Auth publishes here when sessions end so gateways close their sockets. */
  sessionRevoked: 'kickmon.auth.sessions.revoked',
  /** Auth publishes `{key_id, user_id}` here when an API key is revoked, so gateways refuse it at once. */
  apiKeyRevoked: 'kickmon.auth.apikeys.revoked',
  /** Auth publishes here when a user's visible streamers or role change. */
  accessChanged: 'kickmon.auth.access.changed',
  /** Auth publishes `{slug}` here when a public status page is created, changed or deleted. */
  pagesChanged: 'kickmon.auth.pages.changed',
  /** Auth publishes `{ids, user_id}` here when share links are revoked, so gateways end their feeds. */
  shareLinksRevoked: 'kickmon.auth.sharelinks.revoked',
} as const

/** The Kick event name (`livestream.status.updated`, …) a `kick.webhooks.<event-name>` subject carries. */
export const webhookEventName = (subject: string) => subject.slice(WEBHOOKS.length)

/**
 * Discovery of the NATS services framework (`@nats-io/services`): every service answers these,
 * and `.<service>` / `.<service>.<id>` narrow them. Request/reply endpoints are named
 * `<service>.<noun>.<verb>` and defined with their schemas: `PollerApi`, `AuthApi`, `PublicApi`,
 * `AuthInternalApi`, `NotifierApi`.
 */
export const discovery = { ping: '$SRV.PING', info: '$SRV.INFO', stats: '$SRV.STATS' } as const
