import { z } from 'zod'
import { validItems } from './parse.ts'

// Tolerant readers for the Events API answers (docs/kick-api.md#subscriptions): unknown fields ignored,
// items that make no sense skipped rather than failing the whole answer.

export type SubscribeResult = { event: string; subscriptionId: string | null; error: string | null }
export type EventSubscription = { id: string; broadcasterUserId: number; event: string }

const ResultItem = z.object({
  name: z.string(),
  subscription_id: z.string().nullish().catch(null),
  error: z.string().nullish().catch(null),
})

const SubscriptionItem = z.object({
  id: z.string().min(1),
  broadcaster_user_id: z.coerce.number().int(),
  event: z.string().optional(),
  name: z.string().optional(), // spelled either way by clients; accept both
})

export function parseSubscribeResults(body: unknown): SubscribeResult[] {
  return validItems(body, ResultItem).map((r) => ({ event: r.name, subscriptionId: r.subscription_id || null, error: r.error || null }))
}

export function parseSubscriptions(body: unknown): EventSubscription[] {
  return validItems(body, SubscriptionItem).flatMap((s) => {
    const event = s.event ?? s.name
    return event ? [{ id: s.id, broadcasterUserId: s.broadcaster_user_id, event }] : []
  })
}
