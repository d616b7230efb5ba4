// Who may publish and subscribe to what on NATS: one table per identity, the only place these
// lists live. `bun deploy/nats/render.ts` writes deploy/nats/permissions.conf from it (a test
// checks the two agree); `bun run start`, the test harness and scripts/infra/nats-auth.ts use
// it directly. docs/nats.md explains each identity.
//
// To let a component use a new subject: add it to that identity's `publish` (it sends or
// requests there) or `subscribe` (it listens or answers there) below, then run the renderer.
// Replies: an identity reads replies on its own inbox prefix (shared/src/nats-identity.ts) and
// answers into the inboxes of the identities listed in its `answers`.
//
// Every stream, bucket, durable consumer and subject the code uses comes from its contract
// (shared/src/contracts/); what is spelled here are the patterns nats-server matches: subject
// spaces such as `auth.users.>`, and JetStream's API subjects.

import { AuthApi } from '../../shared/src/contracts/auth.ts'
import { AuthInternalApi } from '../../shared/src/contracts/auth-internal.ts'
import { EVENTS_STREAM, STATUS_BUCKET, WEBHOOKS_STREAM, discovery, kvStream, subjects } from '../../shared/src/contracts/names.ts'
import { NOTIFIER_DURABLE } from '../../shared/src/contracts/notifier.ts'
import { MEMBERS_BUCKET, PollerApi, RECORDER_DURABLE } from '../../shared/src/contracts/poller.ts'
import { inboxPrefix, type NatsIdentity } from '../../shared/src/nats-identity.ts'

export type Permissions = {
  publish: string[]
  /** Wins over `publish` (nats-server checks deny first). */
  publishDeny?: string[]
  subscribe: string[]
  subscribeDeny?: string[]
  /**
   * Whose requests it answers: it may publish into their inboxes (`_INBOX_<identity>.>`).
   * Not nats-server's `allow_responses`: with it, nats-server 2.9 remembers the reply subject of
   * every message delivered to the connection for 2 minutes, JetStream's deliveries included
   * (each carries a `$JS.ACK…` reply), and past 4,096 of them walks the whole list on every
   * delivery; a poller reading webhooks at a few thousand a second then made nats-server the
   * ingress's bottleneck, falling run after run (docs/performance.md, webhook-ingress).
   */
  answers: NatsIdentity[]
}

const EVENTS = EVENTS_STREAM
const WEBHOOKS = WEBHOOKS_STREAM
/** Durable consumers our services own on KICK_EVENTS: outsiders may not read, ack, change or delete them. */
export const INTERNAL_EVENT_CONSUMERS = [RECORDER_DURABLE, NOTIFIER_DURABLE]

/** `$SRV` discovery: answering PING/INFO/STATS for every service, by name, and by instance. */
const srvAnswer = (service: string) => ['$SRV.*', `$SRV.*.${service}`, `$SRV.*.${service}.*`]
/** An identity's reply inbox (shared/src/nats-identity.ts). */
const inbox = (identity: NatsIdentity) => `${inboxPrefix(identity)}.>`
/** Who sends requests to each of our services (`$SRV` discovery included: the gateway's health report and the CLI). */
const CALLERS = {
  poller: ['gateway', 'notifier', 'operator', 'poller'], // pollers ask each other (kickmon.poller.sync)
  auth: ['gateway', 'notifier', 'operator', 'poller'],
  gateway: ['gateway', 'operator'],
  notifier: ['gateway', 'operator'],
} as const satisfies Record<string, NatsIdentity[]>

/** JetStream API calls on one stream: `manage` (create, update, info, purge…) or only `read` (info, get). */
const stream = (name: string, access: 'manage' | 'read') =>
  access === 'manage'
    ? [`$JS.API.STREAM.*.${name}`, `$JS.API.STREAM.MSG.*.${name}`, `$JS.API.DIRECT.GET.${name}`, `$JS.API.DIRECT.GET.${name}.>`]
    : [`$JS.API.STREAM.INFO.${name}`, `$JS.API.STREAM.MSG.GET.${name}`, `$JS.API.DIRECT.GET.${name}`, `$JS.API.DIRECT.GET.${name}.>`]

/** Creating, reading from, acknowledging and removing consumers on a stream (durable, ephemeral, ordered). */
const consumers = (name: string) => [
  `$JS.API.CONSUMER.*.${name}`, // CREATE (unnamed), NAMES, LIST
  `$JS.API.CONSUMER.*.${name}.>`, // CREATE.<stream>.<name>.<filter>, INFO, DELETE
  `$JS.API.CONSUMER.DURABLE.CREATE.${name}.*`,
  `$JS.API.CONSUMER.MSG.NEXT.${name}.*`,
  `$JS.ACK.${name}.>`,
  `$JS.FC.${name}.>`, // flow control of push consumers (KV watch)
]

/** A KV bucket: `write` puts and deletes keys; both read and watch. */
const kv = (bucket: string, access: 'write' | 'read') => [
  ...stream(kvStream(bucket), access === 'write' ? 'manage' : 'read'),
  ...consumers(kvStream(bucket)),
  ...(access === 'write' ? [`$KV.${bucket}.>`] : []),
]

/** nats.js asks `$JS.API.INFO` (account limits) before any JetStream use. */
const JS_INFO = '$JS.API.INFO'

export const PERMISSIONS: Record<'poller' | 'auth' | 'gateway' | 'notifier' | 'operator' | 'subscriber', Permissions> = {
  // Detection: publishes statuses and events, owns both streams and both buckets, answers poller.*.
  poller: {
    publish: [
      subjects.statusAll, subjects.eventsAll, 'kickmon.poller.>',
      AuthInternalApi.kickClientSecret.subject,
      JS_INFO, ...stream(EVENTS, 'manage'), ...consumers(EVENTS), ...stream(WEBHOOKS, 'manage'), ...consumers(WEBHOOKS),
      ...kv(STATUS_BUCKET, 'write'), ...kv(MEMBERS_BUCKET, 'write'),
    ],
    subscribe: ['poller.>', 'kickmon.poller.>', ...srvAnswer('poller'), inbox('poller')],
    answers: [...CALLERS.poller],
  },
  // Users, sessions, keys, configuration: answers auth.*, announces revocations.
  auth: {
    publish: ['kickmon.auth.>'],
    subscribe: ['auth.>', ...srvAnswer('auth'), inbox('auth')],
    answers: [...CALLERS.auth],
  },
  // The internet-facing service: acts only for sessions and API keys (never as a system actor),
  // publishes verified Kick webhooks, reads statuses.
  gateway: {
    publish: [
      'auth.session.>', 'auth.sessions.>', 'auth.users.>', 'auth.account.>', 'auth.assignments.>', 'auth.access.>',
      'auth.apikeys.>', 'auth.config.>', 'auth.audit.>', AuthInternalApi.sessionsLive.subject,
      // status pages and share links: managed for signed-in callers, read for anonymous visitors
      'auth.pages.>', 'auth.sharelinks.>', 'auth.public.>',
      'poller.>', subjects.webhooksAll,
      // The notifier's endpoints for sessions and API keys (never notifier.admin.>).
      'notifier.channels.>', 'notifier.rules.>', 'notifier.templates.>', 'notifier.deliveries.>',
      discovery.ping, discovery.info, discovery.stats, '$SRV.*.*', '$SRV.*.*.*',
      JS_INFO, ...stream(WEBHOOKS, 'manage'), ...kv(STATUS_BUCKET, 'read'),
    ],
    subscribe: [subjects.statusAll, 'kickmon.auth.>', subjects.streamerRemoved, ...srvAnswer('gateway'), inbox('gateway')],
    answers: [...CALLERS.gateway],
  },
  // The notification service: reads events with its own durable consumer and statuses, asks auth
  // who a caller is and what a rule's owner may see, the poller for a stream's summary, and
  // announces finished deliveries; answers notifier.* (notifier.admin.* comes only from the operator).
  notifier: {
    publish: [
      AuthApi.accountGet.subject, AuthInternalApi.accessVisible.subject, PollerApi.sessions.subject, 'kickmon.notifier.>',
      JS_INFO, ...stream(EVENTS, 'read'), ...consumers(EVENTS), ...kv(STATUS_BUCKET, 'read'),
    ],
    subscribe: ['notifier.>', subjects.statusAll, 'kickmon.auth.>', subjects.streamerRemoved, ...srvAnswer('notifier'), inbox('notifier')],
    answers: [...CALLERS.notifier],
  },
  // The CLI and migrations: the administrator. The only identity that may publish on
  // auth.admin.>, where auth accepts system actors.
  operator: {
    publish: ['>'],
    subscribe: ['>'],
    answers: [], // it may publish anywhere
  },
  // Outsiders: read-only. Statuses and events, the status bucket, and their own durable
  // consumers on KICK_EVENTS (replay from a time or sequence). Nothing else.
  subscriber: {
    publish: [JS_INFO, ...stream(EVENTS, 'read'), ...consumers(EVENTS), ...stream(kvStream(STATUS_BUCKET), 'read'), ...consumers(kvStream(STATUS_BUCKET))],
    publishDeny: INTERNAL_EVENT_CONSUMERS.flatMap((c) => [
      `$JS.API.CONSUMER.*.${EVENTS}.${c}`, `$JS.API.CONSUMER.*.${EVENTS}.${c}.>`, `$JS.API.CONSUMER.DURABLE.CREATE.${EVENTS}.${c}`,
      `$JS.API.CONSUMER.MSG.NEXT.${EVENTS}.${c}`, `$JS.ACK.${EVENTS}.${c}.>`,
    ]).concat(
      `$JS.API.CONSUMER.DELETE.${kvStream(STATUS_BUCKET)}.*`, // the gateways' watchers live there
      `$JS.API.CONSUMER.CREATE.${EVENTS}`, // the unnamed form carries the consumer's name in its body, out of the subject's reach
    ),
    subscribe: [subjects.statusAll, subjects.eventsAll, inbox('subscriber')],
    answers: [],
  },
}

export type Identity = keyof typeof PERMISSIONS
