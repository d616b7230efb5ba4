// Per-app token bucket (docs/kick-api.md#limits: ~20 req/s per app, 429 with no documented headers).

export type BucketConfig = { rps: number; burst: number }

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  constructor(private readonly clock: () => number) {}

  /** Takes a token for `key`; returns null if allowed, else seconds until one is available. */
  take(key: string, cfg: BucketConfig): number | null {
    const now = this.clock()
    let b = this.buckets.get(key)
    if (!b) this.buckets.set(key, (b = { tokens: cfg.burst, at: now }))
    b.tokens = Math.min(cfg.burst, b.tokens + ((now - b.at) / 1000) * cfg.rps)
    b.at = now
    if (b.tokens >= 1) {
      b.tokens -= 1
      return null
    }
    return (1 - b.tokens) / cfg.rps
  }

  reset(): void {
    this.buckets.clear()
  }
}
