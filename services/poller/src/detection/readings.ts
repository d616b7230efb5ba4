import type { Source } from '@kickmon/shared/contracts/status'
import type { Category } from '../kick/parse.ts'

/** What one source said about one streamer at one moment; the state machine merges these. */
export type Reading =
  | {
      kind: 'live'
      source: Source
      at: number
      viewers: number
      title: string | null
      category: Category | null
      startedAt: string | null
      /** Kick's per-stream id (users/livestreams items); sources without one identify a stream by its start. */
      streamId?: string | null
      username?: string | null
      profilePicture?: string | null
      /** Webhooks carry no viewer count: keep the last known. A known count of 0 while live means hidden. */
      viewersKnown?: boolean
    }
  /** Not live according to a poll (absent from livestreams, or is_live:false). */
  | { kind: 'offline'; source: Source; at: number }
  /** A webhook said the stream ended: no grace window needed. */
  | { kind: 'ended'; source: Source; at: number; startedAt: string | null; endedAt?: string | null }
  | { kind: 'metadata'; source: Source; at: number; title?: string | null; category?: Category | null; username?: string | null; profilePicture?: string | null }
