import { z } from 'zod'
import { StatusEvent, StreamerStatus } from './status.ts'
import { Slug } from '../validation.ts'

// The poller's NATS request/reply contract: subjects and zod schemas for every endpoint.
// The gateway and the CLI import these; services/poller validates requests with them.
// docs/nats.md lists each endpoint.

const iso = z.iso.datetime({ offset: true })
const api = <S extends string, I extends z.ZodType, O extends z.ZodType>(subject: S, input: I, output: O) => ({ subject, input, output })
const bySlug = z.object({ slug: Slug })

export const StreamerProfile = z.object({
  status: StreamerStatus,
  banner_url: z.string().nullable(),
  bio: z.string().nullable(),
  followers_count: z.number().int().nullable(),
  monitored_since: iso,
  /** The channel's slug on Kick when it was renamed there; the streamer keeps the slug it was added with. */
  kick_slug: z.string().nullable().optional(),
  /** When the follower count was read (only Kick's website has one); null: no source had it. */
  followers_at: iso.nullable().optional(),
  /** Kick's active subscriptions, gifted included (`/public/v1/channels`); null when Kick never sent it. */
  active_subscribers_count: z.number().int().nonnegative().nullable().optional(),
  /** The gifted share of `active_subscribers_count` (paid = active − gifted). */
  active_gifted_subscribers_count: z.number().int().nonnegative().nullable().optional(),
  subscribers_at: iso.nullable().optional(),
  /** Set when the streamer is archived (removed: not monitored, history kept); `status` is then its last known state. */
  archived_at: iso.nullable().optional(),
})
export type StreamerProfile = z.infer<typeof StreamerProfile>

/** A removed streamer whose history is kept; adding its slug again resumes it. */
export const ArchivedStreamer = z.object({
  slug: z.string(),
  username: z.string(),
  kick_user_id: z.number().int().nullable(),
  monitored_since: iso,
  archived_at: iso,
  sessions: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  last_stream_at: iso.nullable(),
})
export type ArchivedStreamer = z.infer<typeof ArchivedStreamer>

/** What a purge deleted (the streamer row itself, and these rows of history). */
export const PurgeResult = z.object({
  purged: z.string(),
  streamer_id: z.number().int(),
  events: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
  samples: z.number().int().nonnegative(),
})
export type PurgeResult = z.infer<typeof PurgeResult>

export const ViewerPoint = z.object({ at: iso, avg: z.number(), min: z.number().int(), max: z.number().int() })
export const ViewerHistory = z.object({ slug: z.string(), from: iso, to: iso, step_s: z.number().int().positive(), points: z.array(ViewerPoint) })
export type ViewerHistory = z.infer<typeof ViewerHistory>

export const StreamSession = z.object({
  started_at: iso,
  ended_at: iso.nullable(),
  duration_s: z.number().int().nonnegative(),
  peak_viewers: z.number().int().nonnegative(),
  peak_at: iso.nullable(),
  /** Time-weighted average over the stream. */
  avg_viewers: z.number().nonnegative(),
  hours_watched: z.number().nonnegative(),
  title: z.string().nullable(),
  category: z.string().nullable(),
})
export type StreamSession = z.infer<typeof StreamSession>

export const UpstreamHealth = z.object({
  requests: z.array(z.object({ endpoint: z.string(), outcome: z.string(), count: z.number().int() })),
  rate_limited_total: z.number().int(),
  breakers: z.array(z.object({ endpoint: z.string(), state: z.enum(['closed', 'open', 'half-open']), retry_in_s: z.number() })),
  budget: z.object({ requests_per_s: z.number(), waiting: z.number().int(), paused_for_s: z.number() }),
  poll: z.object({
    interval_s: z.number(), cycles: z.number().int(), last_cycle_ms: z.number(), streamers: z.number().int(), resolved: z.number().int(),
    // Offline streamers whose webhooks are in place and flowing, polled every `covered_offline_every`-th
    // interval only. Defaults keep a newer reader working with an older poller.
    covered_offline: z.number().int().nonnegative().default(0),
    covered_offline_every: z.number().int().min(1).default(1),
  }),
  sources: z.object({ api: z.number().int(), webhook: z.number().int(), browser: z.number().int() }),
  webhooks: z.object({
    enabled: z.boolean(),
    received: z.number().int(),
    duplicates: z.number().int(),
    lag_ms_p50: z.number().nullable(),
    lag_ms_p99: z.number().nullable(),
    subscriptions_alive: z.number().int(),
    subscriptions_wanted: z.number().int(),
    // Kick removes subscriptions that fail for a day; the leader reads Kick's list every check period
    // and re-creates what is gone. Defaults keep a newer reader working with an older poller.
    subscriptions_dropped: z.number().int().nonnegative().default(0),
    subscriptions_check_s: z.number().nonnegative().default(0),
    subscriptions_checked_at: z.iso.datetime({ offset: true }).nullable().default(null),
  }),
  browser: z.object({ enabled: z.boolean(), running: z.boolean(), pages: z.number().int(), backoff_s: z.number() }),
})
export type UpstreamHealth = z.infer<typeof UpstreamHealth>

export const PollerApi = {
  list: api('poller.streamers.list', z.object({ slugs: z.array(Slug).max(20_000).optional() }), z.array(StreamerStatus)),
  get: api('poller.streamers.get', bySlug, StreamerStatus),
  profile: api('poller.streamers.profile', bySlug, StreamerProfile),
  /**
   * Validates the slug with Kick; adding one already monitored answers `created: false`;
   * adding an archived one resumes it (same id, history kept) and answers `resumed: true`.
   */
  add: api('poller.streamers.add', bySlug, z.object({ created: z.boolean(), resumed: z.boolean().default(false), status: StreamerStatus })),
  /** Stops monitoring and archives the streamer: every row of its history is kept. */
  remove: api('poller.streamers.remove', bySlug, z.object({ removed: z.string(), archived_at: iso.optional() })),
  /** Archived streamers, most recently archived first. */
  archived: api('poller.streamers.archived', z.object({}), z.array(ArchivedStreamer)),
  /** Deletes an archived streamer and all its history in one transaction (CONFLICT while monitored). */
  purge: api('poller.streamers.purge', bySlug, PurgeResult),
  /** Newest first; page with `before` (the last event's `at`). */
  events: api(
    'poller.events.list',
    z.object({ slug: Slug, limit: z.number().int().min(1).max(500).default(50), before: iso.optional(), type: z.enum(['online', 'offline', 'title', 'category']).optional() }),
    z.array(StatusEvent),
  ),
  /** Viewer samples in [from, to), downsampled to buckets of `step_s` (chosen when omitted: ≤ 500 points). */
  viewers: api(
    'poller.viewers.history',
    z.object({ slug: Slug, from: iso, to: iso, step_s: z.number().int().min(1).max(86_400).optional() }),
    ViewerHistory,
  ),
  sessions: api(
    'poller.sessions.list',
    z.object({ slug: Slug, limit: z.number().int().min(1).max(500).default(50), before: iso.optional() }),
    z.array(StreamSession),
  ),
  health: api('poller.health.report', z.object({}), UpstreamHealth),
} as const

export type PollerEndpointName = keyof typeof PollerApi
export type PollerInput<K extends PollerEndpointName> = z.input<(typeof PollerApi)[K]['input']>
export type PollerOutput<K extends PollerEndpointName> = z.infer<(typeof PollerApi)[K]['output']>

// ---------------------------------------------------------------- what the poller publishes

/** On `kickmon.poller.streamers.removed` (subjects.streamerRemoved): this streamer is no longer monitored. */
export const StreamerRemoved = z.object({ slug: z.string().min(1) })
export type StreamerRemoved = z.infer<typeof StreamerRemoved>

// ---------------------------------------------------------------- the poller's own names (its instances among themselves)

/** Every poller listens here (no queue group): "the streamer list changed, read it now"; the slug's owner answers. */
export const PEER_SYNC_SUBJECT = 'kickmon.poller.sync'
export const PeerSyncRequest = z.object({ slug: Slug })
export const PeerSyncAnswer = z.object({ status: StreamerStatus.nullable() })

/** The KV bucket where every running poller announces itself (docs/scaling.md); key: the instance id. */
export const MEMBERS_BUCKET = 'kickmon-pollers'
export const PollerMember = z.object({ id: z.string(), started_at: z.string(), host: z.string(), nonce: z.string() })
export type PollerMember = z.infer<typeof PollerMember>

/** The durable consumer that moves KICK_EVENTS into PostgreSQL (one, shared by every poller). */
export const RECORDER_DURABLE = 'poller-recorder'
/** Each poller instance's own durable consumer on KICK_WEBHOOKS. */
export const webhookDurable = (instanceId: string) => `poller-webhooks-${instanceId}`
