import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'

export const RESULTS_DIR = join(import.meta.dir, '..', 'results')

export type Summary = { n: number; p50: number | null; p90: number | null; p99: number | null; max: number | null; mean: number | null }
/** The figures a latency row prints: count, median, tail and worst. */
export type ShortSummary = Pick<Summary, 'n' | 'p50' | 'p99' | 'max'>

// Every percentile in bench/, cli/bench/ and tests/ is a nearest-rank percentile: the p-th
// percentile of n values is the ⌈p/100 · n⌉-th smallest, always one of the values (never
// interpolated between two); p50 of an even count is the lower of the middle two.

/** The 1-based nearest rank of the p-th percentile among n values (1 for p = 0). */
export function nearestRank(n: number, p: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p / 100) * n)))
}

/** The values in ascending order; a typed array, so a million of them sort without spreading. */
export function sortedValues(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort()
}

/** Nearest-rank percentile of values already in ascending order (null when empty). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  return sorted.length ? sorted[nearestRank(sorted.length, p) - 1]! : null
}

/** Nearest-rank percentile of an unsorted list (null when empty). */
export function percentile(values: ArrayLike<number>, p: number): number | null {
  return percentileOfSorted(sortedValues(values), p)
}

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10)

export function summarize(values: ArrayLike<number>): Summary {
  const sorted = sortedValues(values)
  const at = (p: number) => round1(percentileOfSorted(sorted, p))
  let sum = 0
  for (const v of sorted) sum += v
  return { n: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: at(100), mean: round1(sorted.length ? sum / sorted.length : null) }
}

export function shortSummary(values: ArrayLike<number>): ShortSummary {
  const { n, p50, p99, max } = summarize(values)
  return { n, p50, p99, max }
}

export function median(values: ArrayLike<number>): number | null {
  return percentile(values, 50)
}

/** Milliseconds since the epoch with sub-millisecond resolution; comparable across processes on one machine. */
export const nowMs = () => performance.timeOrigin + performance.now()

const cell = (v: unknown) => (v === null || v === undefined ? '–' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : String(v))

/** A plain aligned table on stdout. */
export function printTable(title: string, rows: Record<string, unknown>[]) {
  console.log(`\n${title}`)
  if (!rows.length) return console.log('  (no rows)')
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)))
  const line = (vals: string[]) => '  ' + vals.map((v, i) => v.padEnd(widths[i]!)).join('  ')
  console.log(line(cols))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))))
}

/** bench/results/<scenario>.json (gitignored): the figures plus when and where they were taken. */
export function writeResult(scenario: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, `${scenario}.json`)
  const doc = {
    scenario,
    at: new Date().toISOString(),
    // The load average says how busy the (shared) box was: figures from a loaded box read worse.
    machine: { cpus: navigator.hardwareConcurrency, bun: Bun.version, platform: process.platform, loadavg_1_5_15: loadavg().map((x) => Math.round(x * 100) / 100) },
    ...data,
  }
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n')
  return file
}
