// Per-address limits for the public routes (status pages, badges, share links), which anyone
// can call without an account. A token bucket per address for requests, and a cap on the live
// feeds one address may hold open. Addresses come from clientIpOf, so behind a trusted proxy
// (TRUSTED_PROXIES) each client has its own bucket, and nobody else can pick theirs.

export type PublicLimits = {
  /** Requests an address may make at once… */
  burst: number
  /** …and per second after that. */
  perSecond: number
  /** Live feeds (WebSockets) one address may hold open. */
  sockets: number
}

/** The defaults of PUBLIC_RATE_BURST, PUBLIC_RATE_PER_S and PUBLIC_FEEDS_PER_ADDRESS. */
export const DEFAULT_LIMITS: PublicLimits = { burst: 120, perSecond: 2, sockets: 20 }
/** Addresses remembered at most; past it the fullest buckets are forgotten first. */
const MAX_ADDRESSES = 100_000

type Bucket = { tokens: number; at: number }

export class PublicRateLimit {
  private buckets = new Map<string, Bucket>()
  private open = new Map<string, number>()

  constructor(public limits: PublicLimits = DEFAULT_LIMITS) {}

  /** One request from `ip`: null when allowed, else the seconds to wait. */
  take(ip: string | undefined, now = performance.now()): number | null {
    const key = ip ?? 'unknown'
    const { burst, perSecond } = this.limits
    let b = this.buckets.get(key)
    if (!b) {
      if (this.buckets.size >= MAX_ADDRESSES) this.sweep(now)
      b = { tokens: burst, at: now }
      this.buckets.set(key, b)
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond)
    b.at = now
    if (b.tokens >= 1) {
      b.tokens -= 1
      return null
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perSecond))
  }

  /** A live feed opens: false when the address already holds its share. */
  openSocket(ip: string | undefined): boolean {
    const key = ip ?? 'unknown'
    const n = this.open.get(key) ?? 0
    if (n >= this.limits.sockets) return false
    this.open.set(key, n + 1)
    return true
  }

  closeSocket(ip: string | undefined) {
    const key = ip ?? 'unknown'
    const n = (this.open.get(key) ?? 1) - 1
    if (n <= 0) this.open.delete(key)
    else this.open.set(key, n)
  }

  /** Live feeds an address holds open now. */
  openFrom(ip: string | undefined): number {
    return this.open.get(ip ?? 'unknown') ?? 0
  }

  reset() {
    this.buckets.clear()
    this.open.clear()
  }

  /** Buckets that have refilled are the same as none. */
  private sweep(now: number) {
    for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * this.limits.perSecond >= this.limits.burst) this.buckets.delete(k)
    if (this.buckets.size >= MAX_ADDRESSES) this.buckets.clear()
  }
}
