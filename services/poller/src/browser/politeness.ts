/**
 * The browser's manners, shared by every page it opens: at most one page visit per
 * `minGapMs` (1 s), and after any block a pause of at least `blockBackoffMs` (60 s) that
 * doubles with each block in a row, up to `maxBackoffMs`. A successful read resets it.
 */
export class PageGate {
  readonly minGapMs: number
  /** Pollers sharing the site (docs/scaling.md): each keeps `sharedBy` × the gap, so together they stay within it. */
  sharedBy = 1
  readonly blockBackoffMs: number
  readonly maxBackoffMs: number
  private lastStart = Number.NEGATIVE_INFINITY
  private blockedUntil = 0
  private streak = 0
  blocks = 0

  constructor(
    opts: { minGapMs?: number; blockBackoffMs?: number; maxBackoffMs?: number } = {},
    private readonly now: () => number = Date.now,
  ) {
    this.minGapMs = opts.minGapMs ?? 1000
    this.blockBackoffMs = opts.blockBackoffMs ?? 60_000
    this.maxBackoffMs = Math.max(this.blockBackoffMs, opts.maxBackoffMs ?? 15 * 60_000)
  }

  /** Milliseconds until the next visit may start (0: now). */
  waitMs(): number {
    const t = this.now()
    return Math.max(0, this.blockedUntil - t, this.lastStart + this.minGapMs * this.sharedBy - t)
  }

  /** Claims the slot for a visit; false when it is not yet time. */
  tryStart(): boolean {
    if (this.waitMs() > 0) return false
    this.lastStart = this.now()
    return true
  }

  blocked(): number {
    this.blocks++
    const pause = Math.min(this.maxBackoffMs, this.blockBackoffMs * 2 ** Math.min(this.streak++, 20))
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + pause)
    return pause
  }

  ok() {
    this.streak = 0
  }

  get backoffMs(): number {
    return Math.max(0, this.blockedUntil - this.now())
  }
}
