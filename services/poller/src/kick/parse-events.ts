import { z } from 'zod'

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

function items(body: unknown): unknown[] {
  const data = (body as { data?: unknown })?.data
  return Array.isArray(data) ? data : []
}

export function parseSubscribeResults(body: unknown): SubscribeResult[] {
  return items(body).flatMap((raw) => {
    const r = ResultItem.safeParse(raw)
    if (!r.success) return []
    return [{ event: r.data.name, subscriptionId: r.data.subscription_id || null, error: r.data.error || null }]
  })
}

export function parseSubscriptions(body: unknown): EventSubscription[] {
  return items(body).flatMap((raw) => {
    const r = SubscriptionItem.safeParse(raw)
    const event = r.success ? (r.data.event ?? r.data.name) : undefined
    return r.success && event ? [{ id: r.data.id, broadcasterUserId: r.data.broadcaster_user_id, event }] : []
  })
}
