import { expect, test } from 'bun:test'
import { join } from 'node:path'

// playwright-core costs ~90 MB of RSS once loaded; a poller with BROWSER_FALLBACK=off (the
// default) must never load it, so it may only be imported when Chromium is launched.
test('starting the poller does not load playwright-core', () => {
  const poller = join(import.meta.dir, '..', 'poller.ts')
  const script = `await import(${JSON.stringify(poller)}); const m = Object.keys(require.cache); console.log(JSON.stringify({ total: m.length, playwright: m.filter((k) => k.includes('playwright-core')).length }))`
  const out = Bun.spawnSync(['bun', '-e', script], { stdout: 'pipe', stderr: 'pipe' })
  const r = JSON.parse(out.stdout.toString()) as { total: number; playwright: number }
  expect(r.total).toBeGreaterThan(50) // the poller's module graph really was loaded
  expect(r.playwright).toBe(0)
})
