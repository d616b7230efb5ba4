// Preloaded into a service by a benchmark (BUN_OPTIONS="--preload bench/lib/heap-probe.ts",
// HEAP_PROBE_FILE=<path>), never by production: on SIGUSR2 it writes the process's RSS, then
// forces a full collection and writes what is left on the JS heap (bun:jsc heapStats(): size,
// object count, objects by type), process.memoryUsage(), the RSS split into anonymous and file-backed
// pages (/proc/self/smaps_rollup) and mimalloc's committed and in-use bytes, as JSON to HEAP_PROBE_FILE.
// Counts and sizes only: no object's contents leave the process.
import { heapStats } from 'bun:jsc'
import { readFileSync, writeFileSync } from 'node:fs'

const file = process.env.HEAP_PROBE_FILE
if (file) {
  process.on('SIGUSR2', () => {
    const rssBeforeGc = process.memoryUsage().rss
    Bun.gc(true)
    const { objectTypeCounts, heapSize, heapCapacity, extraMemorySize, objectCount, mimalloc } = heapStats() as ReturnType<typeof heapStats> & { mimalloc?: MimallocStats }
    const smaps = readFileSync('/proc/self/smaps_rollup', 'utf8')
    const kb = (field: string) => Number(smaps.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024
    writeFileSync(file, JSON.stringify({
      at: Date.now(), rssBeforeGc, memoryUsage: process.memoryUsage(), heapSize, heapCapacity, extraMemorySize, objectCount, objectTypeCounts,
      rssAnon: kb('Anonymous'), rssFile: kb('Rss') - kb('Anonymous'),
      mimalloc: mimalloc && { committed: mimalloc.committed?.current ?? null, inUse: mimalloc.malloc_normal?.current ?? null, huge: mimalloc.malloc_huge?.current ?? null },
    }))
  })
}

type MimallocStats = { committed?: { current: number }; malloc_normal?: { current: number }; malloc_huge?: { current: number } }
