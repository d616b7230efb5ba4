/**
 * One global token bucket for every request to Kick: `rate` requests per second with
 * bursts up to `burst`, and never more than `rate` in any 1-s window (a bucket alone
 * would let a full burst plus a second's refill through). Callers wait their turn, so
 * nothing can exceed the budget.
 */
export class RequestBudget {
  private tokens: number
  private last = performance.now()
  private queue: (() => void)[] = []
  private timer: Timer | null = null
  /** While set (after a 429), nobody gets a token before this time. */
  private pausedUntil = 0
  /** When the grants of the last second were made, oldest first. */
  private recent: number[] = []
  private readonly perSecond: number

  constructor(
    readonly rate: number,
    readonly burst: number = Math.max(1, Math.ceil(rate)),
  ) {
    this.tokens = this.burst
    this.perSecond = Math.max(1, Math.floor(rate))
  }

  take(): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push(resolve)
      this.drain()
    })
  }

  /** Stop handing out tokens for `seconds` (a 429's Retry-After). */
  pause(seconds: number) {
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + seconds * 1000)
    this.tokens = 0
  }

  get waiting() {
    return this.queue.length
  }

  get pausedForS() {
    return Math.max(0, (this.pausedUntil - performance.now()) / 1000)
  }

  private refill() {
    const now = performance.now()
    if (now < this.pausedUntil) {
      this.last = now
      return
    }
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate)
    this.last = now
  }

  private drain() {
    this.refill()
    const now = performance.now()
    while (this.recent.length && now - this.recent[0]! >= 1000) this.recent.shift()
    while (this.queue.length && this.tokens >= 1 && this.recent.length < this.perSecond) {
      this.tokens -= 1
      this.recent.push(now)
      this.queue.shift()!()
    }
    if (this.queue.length && !this.timer) {
      const windowWait = this.recent.length >= this.perSecond ? this.recent[0]! + 1000 - now : 0
      const waitMs = Math.max(this.pausedUntil - now, ((1 - this.tokens) / this.rate) * 1000, windowWait, 1)
      this.timer = setTimeout(() => {
        this.timer = null
        this.drain()
      }, waitMs)
    }
  }
}
