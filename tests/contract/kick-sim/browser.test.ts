import { afterAll, beforeAll, expect, test } from 'bun:test'
import { chromium, type Browser } from 'playwright-core'
import type { KickSim } from '../../../services/kick-sim/src/sim.ts'
import { control, newSim } from './helpers.ts'

// A real browser runs the challenge page's script, gets the clearance cookie, reloads and
// reads the JSON, the way the poller's opt-in browser fallback does (docs/kick-api.md#channel-json).
let sim: KickSim
let browser: Browser
let url: string
beforeAll(async () => {
  sim = newSim()
  url = sim.listen(0).url
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
})
afterAll(async () => {
  await browser?.close()
  await sim?.stop()
})

test('Chromium passes the JS challenge and reads /api/v2/channels/<slug>', async () => {
  const ch = sim.world.list().find((c) => c.live)!
  await control(sim, 'PUT', '/_sim/faults', { challenge: true })
  const page = await browser.newPage()
  try {
    const first = await page.goto(`${url}/api/v2/channels/${ch.slug}`)
    expect(first?.status()).toBe(403) // the browser saw the challenge first
    await page.waitForURL(`${url}/api/v2/channels/${ch.slug}`)
    await page.waitForFunction(() => document.body?.innerText.trim().startsWith('{'), undefined, { timeout: 10_000 })
    const data = JSON.parse(await page.evaluate(() => document.body.innerText)) as { slug: string; user_id: number; livestream: unknown }
    expect(data.slug).toBe(ch.slug)
    expect(data.user_id).toBe(ch.user_id)
    expect(data.livestream).not.toBeNull()
    const cookies = await page.context().cookies()
    expect(cookies.map((c) => c.name)).toContain('cf_clearance')
    expect(sim.counters.snapshot().faults.challenges).toBe(1)
  } finally {
    await page.close()
  }
})
