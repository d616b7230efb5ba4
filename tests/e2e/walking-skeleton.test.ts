import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createInbox } from '@nats-io/transport-node'
import { connectAs } from '../harness/nats-auth.ts'
import type { Browser } from 'playwright-core'
import { join } from 'node:path'
import { ARTIFACTS, launchBrowser } from '../harness/browser.ts'
import { eventually } from '../harness/services.ts'
import { ADMIN, testStack } from '../harness/stack.ts'
import { closeAll } from './helpers.ts'
import { inboxPrefix } from '../../shared/src/nats-identity.ts'

// The walking skeleton: a simulated Kick channel goes live, the poller sees it, NATS carries
// it, PostgreSQL records it, and an open dashboard shows it without a reload.
let stack: Awaited<ReturnType<typeof testStack>>
let browser: Browser
let slug: string

beforeAll(async () => {
  stack = await testStack()
  const sim = stack.simUrl!
  slug = ((await (await fetch(`${sim}/_sim/channels`)).json()) as { slug: string }[])[0]!.slug
  await fetch(`${sim}/_sim/channels/${slug}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ live: false }) })
  const nc = await connectAs(stack.nats.url, 'operator')
  const r = await nc.request('poller.streamers.add', JSON.stringify({ slug }), { timeout: 15_000 })
  expect(r.headers?.get('Nats-Service-Error')).toBeUndefined()
  await nc.drain()
  browser = await launchBrowser()
}, 120_000)

afterAll(() => closeAll(browser, stack))

test('log in, watch a channel go live and offline on the dashboard without a reload', async () => {
  const page = await browser.newPage()
  await page.goto(`${stack.gatewayUrl}/`)
  expect(page.url()).toEndWith('/login') // not logged in: sent to the login page
  await page.fill('input[name=username]', ADMIN.username)
  await page.fill('input[name=password]', ADMIN.password)
  await page.click('button[type=submit]')
  await page.waitForURL(`${stack.gatewayUrl}/`)
  const row = page.locator(`#row-${slug}`)
  await row.waitFor()
  await page.waitForSelector('#conn[data-state="open"]')
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true))

  const patch = (body: object) =>
    fetch(`${stack.simUrl}/_sim/channels/${slug}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const t0 = performance.now()
  await patch({ live: true, viewers: 4242, title: 'e2e <b>stream</b>' })
  await page.waitForSelector(`#row-${slug} .badge.live`, { timeout: 15_000 })
  const toLiveMs = performance.now() - t0
  // A webhook can announce the stream before a poll brings its viewer count.
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '4,242', `#row-${slug} .viewers`, { timeout: 15_000 })
  expect(await row.locator('.title').textContent()).toBe('e2e <b>stream</b>') // escaped: shown as text
  expect(await page.locator('#count-live').textContent()).toBe('1')
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-live.png'), fullPage: true })

  await patch({ live: false })
  await page.waitForSelector(`#row-${slug} .badge.off`, { timeout: 15_000 })
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true)
  console.log(`control-API call → LIVE in the DOM: ${toLiveMs.toFixed(0)} ms (POLL_INTERVAL_S=1)`)

  // And PostgreSQL recorded exactly one online and one offline. The dashboard can be quicker
  // than the recorder (status is published at once, events go through JetStream), so wait
  // for the recorder to catch up before checking.
  const events = await eventually(async () => {
    const rows = await stack.db.sql`select e.type from status_events e join streamers s on s.id = e.streamer_id where s.slug = ${slug} order by e.at`
    return rows.length >= 2 ? rows : null
  }, 10_000, 'the offline event in PostgreSQL')
  await Bun.sleep(500) // and nothing more after it
  const again = await stack.db.sql`select count(*)::int as n from status_events e join streamers s on s.id = e.streamer_id where s.slug = ${slug}`
  expect(events.map((e) => e.type)).toEqual(['online', 'offline'])
  expect(again[0]!.n).toBe(2)
}, 90_000)

test('the services answer $SRV discovery', async () => {
  const nc = await connectAs(stack.nats.url, 'operator')
  const names = new Set<string>()
  const sub = nc.subscribe(createInbox(inboxPrefix('operator')), { max: 10, timeout: 2000 })
  nc.publish('$SRV.PING', '', { reply: sub.getSubject() })
  setTimeout(() => sub.unsubscribe(), 1000)
  for await (const m of sub) names.add((m.json() as { name: string }).name)
  await nc.drain()
  expect([...names].sort()).toEqual(['auth', 'gateway', 'notifier', 'poller'])
})

test('logging out ends the session: the dashboard sends you back to the login page', async () => {
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  await page.goto(`${stack.gatewayUrl}/login`)
  await page.fill('input[name=username]', ADMIN.username)
  await page.fill('input[name=password]', 'wrong password')
  await page.click('button[type=submit]')
  expect(await page.locator('.error').textContent()).toBe('invalid username or password')
  await page.fill('input[name=password]', ADMIN.password)
  await page.click('button[type=submit]')
  await page.waitForURL(`${stack.gatewayUrl}/`)
  await page.click('.logout button')
  await page.waitForURL(`${stack.gatewayUrl}/login`)
  await page.goto(`${stack.gatewayUrl}/`)
  expect(page.url()).toEndWith('/login')
  await ctx.close()
}, 60_000)
