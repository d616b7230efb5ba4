// Preloaded into a service by a benchmark (BUN_OPTIONS="--preload bench/lib/heap-probe.ts",
// HEAP_PROBE_FILE=<path>), never by production: on SIGUSR2 it writes the process's RSS, then
// forces a full collection and writes what is left on the JS heap (bun:jsc heapStats(): size,
// object count, objects by type) and process.memoryUsage(), as JSON to HEAP_PROBE_FILE.
// Counts and sizes only: no object's contents leave the process.
import { heapStats } from 'bun:jsc'
import { writeFileSync } from 'node:fs'

const file = process.env.HEAP_PROBE_FILE
if (file) {
  process.on('SIGUSR2', () => {
    const rssBeforeGc = process.memoryUsage().rss
    Bun.gc(true)
    const { objectTypeCounts, heapSize, heapCapacity, extraMemorySize, objectCount } = heapStats()
    writeFileSync(file, JSON.stringify({ at: Date.now(), rssBeforeGc, memoryUsage: process.memoryUsage(), heapSize, heapCapacity, extraMemorySize, objectCount, objectTypeCounts }))
  })
}
