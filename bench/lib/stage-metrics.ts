// Per-stage timings from a service's Prometheus histogram (e.g. the gateway's
// webhook_ingress_stage_seconds): two scrapes, and the difference is what one run cost.

import { nearestRank } from './stats.ts'

type Hist = Map<string, { buckets: [number, number][]; sum: number; count: number }>

/** Scrapes `url` (a /metrics endpoint) and keeps the histogram `name`, by its `label`. */
export async function scrapeHistogram(url: string, name: string, label: string): Promise<Hist> {
  const text = await (await fetch(url)).text()
  const out: Hist = new Map()
  const get = (k: string) => out.get(k) ?? (out.set(k, { buckets: [], sum: 0, count: 0 }), out.get(k)!)
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const m = line.match(/^(\w+)\{([^}]*)\} ([\d.e+-]+|\+Inf)$/)
    if (!m) continue
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]))
    const key = labels[label]
    if (!key) continue
    const v = Number(m[3])
    if (m[1] === `${name}_bucket`) get(key).buckets.push([labels.le === '+Inf' ? Infinity : Number(labels.le), v])
    else if (m[1] === `${name}_sum`) get(key).sum = v
    else if (m[1] === `${name}_count`) get(key).count = v
  }
  return out
}

export type StageFigures = { stage: string; n: number; mean_ms: number | null; p50_ms_le: number | null; p99_ms_le: number | null }

/** Per stage between two scrapes: count, mean, and the bucket bounds the p50 and p99 fall under. */
export function stageDelta(before: Hist, after: Hist): StageFigures[] {
  return [...after].map(([stage, a]) => {
    const b = before.get(stage)
    const n = a.count - (b?.count ?? 0)
    const sum = a.sum - (b?.sum ?? 0)
    const buckets = a.buckets.map(([le, c]) => [le, c - (b?.buckets.find((x) => x[0] === le)?.[1] ?? 0)] as const)
    // The first bucket holding the nearest rank (stats.ts) of the percentile.
    const at = (q: number) => {
      const hit = buckets.find(([, c]) => c >= nearestRank(n, q * 100))
      return hit === undefined || !Number.isFinite(hit[0]) ? null : Math.round(hit[0] * 1e5) / 100
    }
    return { stage, n, mean_ms: n ? Math.round((sum / n) * 1e5) / 100 : null, p50_ms_le: n ? at(0.5) : null, p99_ms_le: n ? at(0.99) : null }
  })
}
