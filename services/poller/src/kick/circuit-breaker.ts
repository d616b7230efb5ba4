import { backoffMs } from './backoff.ts'

type BreakerState = 'closed' | 'open' | 'half-open'

/**
 * Per-endpoint circuit breaker: after `threshold` consecutive failures it opens for a
 * jittered back-off, then lets one trial call through (half-open).
 */
export class CircuitBreaker {
  private failures = 0
  private openUntil = 0
  private trial = false

  constructor(
    readonly name: string,
    private readonly threshold = 5,
    private readonly baseMs = 1000,
    private readonly capMs = 60_000,
  ) {}

  get state(): BreakerState {
    if (this.failures < this.threshold) return 'closed'
    return Date.now() < this.openUntil ? 'open' : 'half-open'
  }

  get retryInMs() {
    return Math.max(0, this.openUntil - Date.now())
  }

  /** May a call go out now? In half-open state only one trial at a time. */
  allow(): boolean {
    const s = this.state
    if (s === 'closed') return true
    if (s === 'open' || this.trial) return false
    this.trial = true
    return true
  }

  success() {
    this.failures = 0
    this.trial = false
  }

  failure(minWaitMs = 0) {
    this.failures++
    this.trial = false
    if (this.failures >= this.threshold) {
      this.openUntil = Date.now() + Math.max(minWaitMs, backoffMs(this.failures - this.threshold, this.baseMs, this.capMs) + this.baseMs)
    }
  }
}
