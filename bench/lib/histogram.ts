// A log-bucketed latency histogram (≈1 % resolution): cheap to fill with a million values,
// small to send over IPC, and mergeable across client processes.
import { nearestRank, type ShortSummary } from './stats.ts'

const GROWTH = Math.log(1.01)

export type HistogramJSON = { counts: number[]; n: number; max: number | null }

export class Histogram {
  counts: number[] = []
  n = 0
  max: number | null = null

  add(ms: number) {
    const v = Math.max(0, ms)
    const i = Math.floor(Math.log1p(v) / GROWTH)
    this.counts[i] = (this.counts[i] ?? 0) + 1
    this.n++
    if (this.max === null || v > this.max) this.max = v
  }

  merge(h: HistogramJSON) {
    h.counts.forEach((c, i) => c && (this.counts[i] = (this.counts[i] ?? 0) + c))
    this.n += h.n
    if (h.max !== null && (this.max === null || h.max > this.max)) this.max = h.max
  }

  /** The nearest-rank percentile (stats.ts) to ≈1 %: the upper edge of its bucket, capped at the maximum seen. */
  percentile(p: number): number | null {
    if (!this.n) return null
    const rank = nearestRank(this.n, p)
    let seen = 0
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0
      if (seen >= rank) return Math.min(Math.expm1((i + 1) * GROWTH), this.max!)
    }
    return this.max
  }

  toJSON(): HistogramJSON {
    return { counts: Array.from(this.counts, (c) => c ?? 0), n: this.n, max: this.max }
  }

  summary(): ShortSummary {
    const r = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10)
    return { n: this.n, p50: r(this.percentile(50)), p99: r(this.percentile(99)), max: r(this.max) }
  }
}
