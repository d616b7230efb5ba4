import { z } from 'zod'

// docs/design.md#nats-subjects (contract): parsed on both ends of every NATS message.
export const Source = z.enum(['api', 'webhook', 'browser'])
export type Source = z.infer<typeof Source>

export const Category = z.object({ id: z.number().int(), name: z.string() })

export const StreamerStatus = z.object({
  slug: z.string(),
  kick_user_id: z.number().int().nullable(),
  username: z.string(),
  live: z.boolean(),
  /** null while live with the count hidden by the streamer (viewers_hidden): unknown, never 0. */
  viewers: z.number().int().nonnegative().nullable().describe('Live viewers; 0 when offline; null while the streamer hides the count (viewers_hidden)'),
  /** The streamer hides the viewer count (Kick then reports 0); added 2026-12, absent in older writers. */
  viewers_hidden: z.boolean().default(false).describe('Live, but the streamer hides the viewer count on Kick (Kick reports 0): show "hidden", never 0'),
  title: z.string().nullable(),
  category: Category.nullable(),
  started_at: z.iso.datetime({ offset: true }).nullable(),
  /** Kick's per-stream id of the stream shown (from users/livestreams); null when no source gave one. */
  stream_id: z.string().max(100).nullable().default(null).describe("Kick's per-stream id of the stream shown; null when no source gave one"),
  profile_picture_url: z.string().nullable(),
  source: Source.nullable(),
  checked_at: z.iso.datetime({ offset: true }).nullable(),
  changed_at: z.iso.datetime({ offset: true }).nullable(),
  stale: z.boolean(),
})
export type StreamerStatus = z.infer<typeof StreamerStatus>

export const EventType = z.enum(['online', 'offline', 'title', 'category'])
export type EventType = z.infer<typeof EventType>

export const StatusEvent = z.object({
  id: z.string().min(1),
  type: EventType,
  slug: z.string(),
  at: z.iso.datetime({ offset: true }),
  status: StreamerStatus,
  previous: StreamerStatus.nullable(),
})
export type StatusEvent = z.infer<typeof StatusEvent>

/** A status for a streamer we know by name only, before any reading. */
export function unknownStatus(slug: string): StreamerStatus {
  return {
    slug, kick_user_id: null, username: slug, live: false, viewers: 0, viewers_hidden: false, title: null, category: null,
    started_at: null, stream_id: null, profile_picture_url: null, source: null, checked_at: null, changed_at: null, stale: true,
  }
}

/** Did anything a subscriber cares about change (everything but checked_at and source)? */
export function statusChanged(a: StreamerStatus, b: StreamerStatus): boolean {
  return (
    a.live !== b.live || a.viewers !== b.viewers || a.viewers_hidden !== b.viewers_hidden || a.stream_id !== b.stream_id || a.title !== b.title || a.stale !== b.stale ||
    a.category?.id !== b.category?.id || a.category?.name !== b.category?.name || a.started_at !== b.started_at ||
    a.username !== b.username || a.profile_picture_url !== b.profile_picture_url || a.kick_user_id !== b.kick_user_id
  )
}
