/** Exponential back-off with full jitter: random(0, min(cap, base·2^attempt)). */
export function backoffMs(attempt: number, baseMs = 500, capMs = 60_000, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20)))
}
