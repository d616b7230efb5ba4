// gateway-browser: is a 1,000-row dashboard smooth in a real browser? Debian Chromium (headless)
// opens the dashboard of a gateway that knows 1,000 streamers; the benchmark publishes status
// changes on NATS and the page records, per live-feed message, the time from the message's
// arrival to the next painted frame (htmx swap + our re-sort/filter + layout), plus the first
// load and a 1,000-row snapshot after a reconnect.
//
//   bun bench/gateway-browser.ts [--streamers 1000] [--changes 200] [--rate 20] [--quick]
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { StreamerStatus } from '../shared/src/contracts/status.ts'
import { ensureNatsResources } from '../shared/src/nats-resources.ts'
import { subjects } from '../shared/src/contracts/names.ts'
import { BENCH_ADMIN as ADMIN } from './lib/bench-stack.ts'
import { startGatewayOnly } from './lib/gateway-only.ts'
import { shortSummary as summary } from './lib/stats.ts'

const arg = (name: string, d: number) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : d)
const quick = process.argv.includes('--quick')
const N = arg('streamers', 1000)
const CHANGES = arg('changes', quick ? 80 : 200)
const RATE = arg('rate', 20)

function status(i: number, live: boolean, extra: Partial<StreamerStatus> = {}): StreamerStatus {
  const t = new Date().toISOString()
  return {
    slug: `bench_${String(i).padStart(5, '0')}`, kick_user_id: 100_000 + i, username: `Bench${i}`, live, viewers: live ? 50 + ((i * 7919) % 20_000) : 0,
    title: `stream number ${i} | !discord !socials`, category: { id: i % 12, name: ['Just Chatting', 'Slots', 'Chess', 'Fortnite', 'Music', 'IRL'][i % 6]! },
    started_at: live ? t : null, stream_id: null, viewers_hidden: false, profile_picture_url: null, source: 'api', checked_at: t, changed_at: t, stale: false, ...extra,
  }
}

const load = require('node:fs').readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number)
const gw = await startGatewayOnly()
const { nc, stack } = gw
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
try {
  // As the poller does: publish each status and keep the latest in the KV (a restarted gateway loads it).
  const { kv } = await ensureNatsResources(nc)
  const statuses = Array.from({ length: N }, (_, i) => status(i, i % 3 === 0))
  const put = (s: StreamerStatus) => {
    nc.publish(subjects.status(s.slug), JSON.stringify(s))
    void kv.put(s.slug, JSON.stringify(s))
  }
  for (const s of statuses) put(s)
  await nc.flush()
  await Bun.sleep(1000)

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  await page.goto(`${stack.gatewayUrl}/login`)
  await page.fill('input[name=username]', ADMIN.username)
  await page.fill('input[name=password]', ADMIN.password)
  const t0 = Date.now()
  await page.click('button[type=submit]')
  await page.waitForSelector('#conn[data-state="open"]')
  await page.waitForFunction((n) => document.querySelectorAll('#rows > .row[data-slug]').length === n, N)
  const firstLoadMs = Date.now() - t0

  // Per message: arrival → the frame after our view code ran.
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[] }
    w.__frames = []
    document.addEventListener('htmx:ws:before:message:incoming', () => {
      const t = performance.now()
      queueMicrotask(() => requestAnimationFrame(() => setTimeout(() => w.__frames.push(performance.now() - t), 0)))
    })
  })
  const gap = 1000 / RATE
  for (let k = 0; k < CHANGES; k++) {
    const i = Math.floor(Math.random() * N)
    const s = { ...statuses[i]!, live: true, viewers: Math.floor(Math.random() * 30_000), title: `change ${k}`, checked_at: new Date().toISOString() }
    statuses[i] = s
    put(s)
    await Bun.sleep(gap)
  }
  await Bun.sleep(1500)
  const frames = await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames)
  // A filtered, grouped view costs more per message: measure it too.
  await page.selectOption('select[name=group]', 'category')
  await page.check('input[name=live]')
  await page.evaluate(() => ((window as unknown as { __frames: number[] }).__frames = []))
  for (let k = 0; k < CHANGES / 2; k++) {
    const i = Math.floor(Math.random() * N)
    const s = { ...statuses[i]!, live: k % 2 === 0, viewers: Math.floor(Math.random() * 30_000), checked_at: new Date().toISOString() }
    statuses[i] = s
    put(s)
    await Bun.sleep(gap)
  }
  await Bun.sleep(1500)
  const framesGrouped = await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames)

  // A full snapshot (a gateway restart): all rows again, in paced chunks.
  const snapT0 = Date.now()
  stack.procs.get('gateway')!.kill('SIGKILL')
  await page.waitForSelector('#conn[data-state="closed"]')
  await page.waitForSelector('#conn[data-state="open"]', { timeout: 30_000 })
  await page.waitForFunction((n) => document.querySelectorAll('#rows > .row[data-slug]').length === n, N, { timeout: 30_000 })
  const restartToAllRowsMs = Date.now() - snapT0

  const result = {
    scenario: 'gateway-browser', at: new Date().toISOString(), load_average_at_start: load,
    options: { streamers: N, changes: CHANGES, rate: RATE, quick },
    first_load_login_to_all_rows_ms: firstLoadMs,
    message_to_next_frame_ms: summary(frames),
    message_to_next_frame_grouped_live_only_ms: summary(framesGrouped),
    gateway_kill_to_all_rows_again_ms: restartToAllRowsMs,
  }
  mkdirSync(join(import.meta.dir, 'results'), { recursive: true })
  writeFileSync(join(import.meta.dir, 'results', 'gateway-browser.json'), JSON.stringify(result, null, 2) + '\n')
  const row = (what: string, s: ReturnType<typeof summary>) => console.log(`  ${what.padEnd(52)} ${String(s.p50).padStart(7)} ${String(s.p99).padStart(7)} ${String(s.max).padStart(7)}  n=${s.n}`)
  console.log(`\ngateway-browser: ${N} rows in Chromium, ${CHANGES} changes at ${RATE}/s (load average ${load.join(' ')})`)
  console.log(`  ${'what (ms)'.padEnd(52)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}`)
  row('live-feed message → next frame (sorted by live)', result.message_to_next_frame_ms)
  row('… grouped by category, live only', result.message_to_next_frame_grouped_live_only_ms)
  console.log(`  login → all ${N} rows shown: ${firstLoadMs} ms; gateway killed → all rows again: ${restartToAllRowsMs} ms`)
  console.log('  → bench/results/gateway-browser.json')
} finally {
  await browser.close()
  await gw.stop()
}
process.exit(0)
