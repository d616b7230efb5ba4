/**
 * How webhooks cover a streamer, for polling: `none` (no subscriptions, or webhooks cannot be
 * relied on now), `covered` (both subscriptions in place, but live or stale: polled every
 * interval, viewer history needs every reading) or `covered-offline` (a go-live arrives by
 * webhook, so a poll is only a safety net).
 */
export type Coverage = 'none' | 'covered' | 'covered-offline'

export type PollSelection = { polled: number[]; reduced: number[] }

/**
 * The user ids a poll cycle asks Kick about. Streamers `covered-offline` are split into `every`
 * groups by a stable hash of their id, and cycle `round` polls one group besides everyone else:
 * each is asked every `every`-th cycle and every cycle's batches stay evenly filled. The others
 * come first, those without webhooks at the very front, so their place in the cycle (and the gap
 * between their polls) does not move as covered streamers go live and offline.
 * `reduced`: every `covered-offline` streamer (polled this cycle or not).
 */
export function selectPolled(ids: number[], coverage: (userId: number) => Coverage, round: number, every: number): PollSelection {
  if (every <= 1) return { polled: ids, reduced: [] }
  const none: number[] = []
  const covered: number[] = []
  const reduced: number[] = []
  for (const id of ids) {
    const c = coverage(id)
    ;(c === 'none' ? none : c === 'covered' ? covered : reduced).push(id)
  }
  if (!reduced.length) return { polled: ids, reduced }
  const group = round % every
  return { polled: [...none, ...covered, ...reduced.filter((id) => groupOf(id, every) === group)], reduced }
}

/** A user id's group among `groups`, the same every cycle (ids are often sequential: mix the bits). */
export function groupOf(userId: number, groups: number): number {
  let h = (userId >>> 0) ^ Math.imul(Math.floor(userId / 2 ** 32), 0x9e3779b1)
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b)
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b)
  return ((h ^ (h >>> 16)) >>> 0) % groups
}
