// NATS names (docs/design.md#nats-subjects, contract). Nothing else in the code spells them.
export const STATUS_BUCKET = 'kick-status'
export const EVENTS_STREAM = 'KICK_EVENTS'
export const WEBHOOKS_STREAM = 'KICK_WEBHOOKS'

export const subjects = {
  status: (slug: string) => `kick.status.${slug}`,
  statusAll: 'kick.status.>',
  event: (slug: string, type: string) => `kick.events.${slug}.${type}`,
  eventsAll: 'kick.events.>',
  webhook: (eventName: string) => `kick.webhooks.${eventName}`,
  webhooksAll: 'kick.webhooks.>',
  /** The poller publishes `{slug}` here when a streamer stops being monitored. */
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

/** Request/reply endpoints: `<service>.<noun>.<verb>` (docs/nats.md lists them). */
export const endpoints = {
  auth: {
    login: 'auth.session.login',
    verify: 'auth.session.verify',
    logout: 'auth.session.logout',
  },
  poller: {
    list: 'poller.streamers.list',
    get: 'poller.streamers.get',
    add: 'poller.streamers.add',
    remove: 'poller.streamers.remove',
  },
} as const
