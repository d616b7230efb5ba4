import { z } from 'zod'
import { normaliseTime, type Category } from '../kick/parse.ts'
import type { Reading } from '../detection/readings.ts'

// Kick's livestream webhooks (docs/kick-api.md#deliveries) turned into readings. Unknown fields
// are ignored; what a reading needs (who, and live or not) must be there, else the
// delivery is malformed.

export const STATUS_EVENT = 'livestream.status.updated'
export const METADATA_EVENT = 'livestream.metadata.updated'
export const WEBHOOK_EVENTS = [STATUS_EVENT, METADATA_EVENT] as const

export class MalformedWebhook extends Error {}

const str = z.string().nullish().catch(null)
const Broadcaster = z
  .object({
    user_id: z.coerce.number().int().positive().nullish().catch(null),
    channel_slug: z.string().nullish().catch(null),
    username: str,
    profile_picture: str,
  })
  .refine((b) => b.user_id || b.channel_slug, 'broadcaster has neither user_id nor channel_slug')
const CategoryIn = z.object({ id: z.coerce.number().int().catch(0), name: z.string().catch('') }).nullish().catch(null)

const StatusBody = z.object({ broadcaster: Broadcaster, is_live: z.boolean(), title: str, started_at: str, ended_at: str })
const MetadataBody = z.object({ broadcaster: Broadcaster, metadata: z.object({ title: str, category: CategoryIn }) })

/** Who a delivery is about: the Kick user id first, the channel slug as a fallback. */
export type WebhookTarget = { userId: number | null; slug: string | null }
export type WebhookReading = { target: WebhookTarget; reading: Reading }

const toCategory = (c: { id: number; name: string } | null | undefined): Category | null => (c && (c.id || c.name) ? { id: c.id, name: c.name } : null)

/**
 * The reading a delivery implies, or null for an event type we do not use. `at` is when
 * Kick sent it (never later than now), so a late delivery is not taken for fresh news.
 */
export function webhookReading(eventType: string, body: unknown, at: number): WebhookReading | null {
  if (eventType === STATUS_EVENT) {
    const b = parse(StatusBody, body)
    const target = targetOf(b.broadcaster)
    const startedAt = normaliseTime(b.started_at)
    if (!b.is_live) return { target, reading: { kind: 'ended', source: 'webhook', at, startedAt, endedAt: normaliseTime(b.ended_at) } }
    return {
      target,
      reading: {
        kind: 'live', source: 'webhook', at, viewers: 0, viewersKnown: false, title: b.title || null, category: null, startedAt,
        username: b.broadcaster.username || null, profilePicture: b.broadcaster.profile_picture || null,
      },
    }
  }
  if (eventType === METADATA_EVENT) {
    const b = parse(MetadataBody, body)
    return {
      target: targetOf(b.broadcaster),
      reading: {
        kind: 'metadata', source: 'webhook', at, title: b.metadata.title || null, category: toCategory(b.metadata.category),
        username: b.broadcaster.username || null, profilePicture: b.broadcaster.profile_picture || null,
      },
    }
  }
  return null
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body)
  if (r.success) return r.data
  const first = r.error.issues[0]
  throw new MalformedWebhook(`${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid'}`)
}

function targetOf(b: z.infer<typeof Broadcaster>): WebhookTarget {
  return { userId: b.user_id ?? null, slug: b.channel_slug ? b.channel_slug.toLowerCase() : null }
}
