import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'

export const RESULTS_DIR = join(import.meta.dir, '..', 'results')

export type Summary = { n: number; p50: number | null; p90: number | null; p99: number | null; max: number | null; mean: number | null }

/** Nearest-rank percentile of an unsorted list (null when empty). */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export function summarize(values: number[]): Summary {
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10)
  return {
    n: values.length,
    p50: round(percentile(values, 50)),
    p90: round(percentile(values, 90)),
    p99: round(percentile(values, 99)),
    max: round(values.length ? Math.max(...values) : null),
    mean: round(values.length ? values.reduce((a, b) => a + b, 0) / values.length : null),
  }
}

export function median(values: number[]): number | null {
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
