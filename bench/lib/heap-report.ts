import { readFileSync } from 'node:fs'
import { join } from 'node:path'

// The benchmark side of bench/lib/heap-probe.ts: how to preload the probe into a service, read
// what it wrote, and compare object counts between runs.

/** What the probe writes on SIGUSR2 (after a full collection). */
export type Heap = {
  rssBeforeGc: number; memoryUsage: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }
  heapSize: number; heapCapacity: number; extraMemorySize: number; objectCount: number; objectTypeCounts: Record<string, number>
  rssAnon: number; rssFile: number; mimalloc: { committed: number | null; inUse: number | null; huge: number | null } | null
}

/** Environment that preloads the probe into a service, writing to `file`. */
export const heapProbeEnv = (file: string) => ({ BUN_OPTIONS: `--preload ${join(import.meta.dir, 'heap-probe.ts')}`, HEAP_PROBE_FILE: file })

export function mb(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10
}

/** Signals `pid` and waits for the figures its probe writes to `file`. */
export async function probeHeap(pid: number, file: string, service: string): Promise<Heap> {
  process.kill(pid, 'SIGUSR2')
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Heap
    } catch {
      await Bun.sleep(200)
    }
  }
  throw new Error(`the ${service} wrote no heap figures to ${file} (is bench/lib/heap-probe.ts preloaded?)`)
}

/** The columns every memory benchmark prints for one probe. */
export function heapColumns(h: Heap): Record<string, unknown> {
  return {
    'RSS after full GC MB': mb(h.memoryUsage.rss),
    'JS heap MB': mb(h.heapSize),
    'heap capacity MB': mb(h.heapCapacity),
    'extra (outside the heap) MB': mb(h.extraMemorySize),
    'anonymous / file-backed RSS MB': `${mb(h.rssAnon)} / ${mb(h.rssFile)}`,
    'malloc committed / in use MB': h.mimalloc ? `${mb(h.mimalloc.committed ?? 0)} / ${mb((h.mimalloc.inUse ?? 0) + (h.mimalloc.huge ?? 0))}` : '–',
    objects: h.objectCount,
  }
}

/** Bytes (and objects) per unit between two probes `dn` units apart. */
export function slope(lo: Heap, hi: Heap, dn: number) {
  return {
    rss_after_gc_bytes: Math.round((hi.memoryUsage.rss - lo.memoryUsage.rss) / dn),
    js_heap_bytes: Math.round((hi.heapSize - lo.heapSize) / dn),
    heap_capacity_bytes: Math.round((hi.heapCapacity - lo.heapCapacity) / dn),
    extra_bytes: Math.round((hi.extraMemorySize - lo.extraMemorySize) / dn),
    malloc_in_use_bytes: lo.mimalloc && hi.mimalloc ? Math.round(((hi.mimalloc.inUse ?? 0) + (hi.mimalloc.huge ?? 0) - (lo.mimalloc.inUse ?? 0) - (lo.mimalloc.huge ?? 0)) / dn) : null,
    objects: Math.round(((hi.objectCount - lo.objectCount) / dn) * 100) / 100,
  }
}

/** Object counts by type across `runs` (labelled), and per unit from the first to the last; the `top` that grow most. */
export function typeGrowth(runs: { label: string; heap: Heap }[], dn: number, unit: string, top = 20) {
  const first = runs[0]!.heap, last = runs.at(-1)!.heap
  return [...new Set(runs.flatMap((r) => Object.keys(r.heap.objectTypeCounts)))]
    .map((type) => {
      const counts = runs.map((r) => r.heap.objectTypeCounts[type] ?? 0)
      const per = dn > 0 ? Math.round((((last.objectTypeCounts[type] ?? 0) - (first.objectTypeCounts[type] ?? 0)) / dn) * 100) / 100 : null
      return { row: { type, ...Object.fromEntries(runs.map((r, i) => [r.label, counts[i]])), [`per ${unit}`]: per }, per: per ?? 0 }
    })
    .sort((x, y) => Math.abs(y.per) - Math.abs(x.per))
    .slice(0, top)
    .map((t) => t.row)
}
