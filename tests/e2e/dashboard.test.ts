import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser } from '../harness/browser.ts'
import { ADMIN, testStack } from '../harness/stack.ts'
import { adminApi, adminPage, closeAll, loggedIn, shot, simChannels, simPatch, visibleRows } from './helpers.ts'

// The dashboard in a real browser against the real services: viewer changes re-sort rows and
// update the counts without a reload; sort, filters and grouping live in the URL and survive
// navigation; the keyboard works; a lost connection shows itself and comes back to a fresh
// snapshot; a streamer nobody can read is shown as stale, never as a made-up "offline".
let stack: Awaited<ReturnType<typeof testStack>>
let browser: Browser
let s: string[]
let page: Page

const noReload = (p: Page) => p.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true))
const stillNoReload = async (p: Page) => expect(await p.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true)
const counts = (p: Page) => p.$$eval('.counts b', (bs) => bs.map((b) => b.textContent))

beforeAll(async () => {
  stack = await testStack({ sim: { channels: 8, activity: false } })
  s = await simChannels(stack.simUrl!)
  const api = await adminApi(stack.gatewayUrl)
  // Three live (100 / 200 / 300 viewers, two categories), the rest offline.
  await Promise.all(s.map((slug, i) => simPatch(stack.simUrl!, slug, i < 3 ? { live: true, viewers: 100 * (i + 1), category: i === 2 ? 'Chess' : 'Just Chatting' } : { live: false })))
  for (const slug of s) await api.json('POST', '/api/v1/streamers', { slug })
  browser = await launchBrowser()
  page = await adminPage(browser, stack.gatewayUrl)
  await page.waitForFunction(() => document.querySelectorAll('#rows > .row.live').length === 3, undefined, { timeout: 15_000 })
}, 120_000)

afterAll(() => closeAll(browser, stack))

test('viewer changes re-sort the rows and update the counts without a reload', async () => {
  await noReload(page)
  expect((await visibleRows(page)).slice(0, 3)).toEqual([s[2]!, s[1]!, s[0]!]) // live first, most viewers first
  expect(await counts(page)).toEqual(['3', '600', '8', '0', '8']) // live, viewers, watched, stale, shown
  await simPatch(stack.simUrl!, s[0]!, { viewers: 5000 })
  await page.waitForFunction((slug) => document.querySelector('#rows > .row[data-slug]')?.getAttribute('data-slug') === slug, s[0], { timeout: 10_000 })
  expect(await page.locator(`#row-${s[0]} .viewers .num`).textContent()).toBe('5,000')
  await page.waitForFunction(() => document.getElementById('count-viewers')?.textContent === '5,500')
  await simPatch(stack.simUrl!, s[3]!, { live: true, viewers: 42 })
  await page.waitForSelector(`#row-${s[3]} .badge.live`, { timeout: 10_000 })
  // Kick's go-live webhook carries no viewer count: the 42 can arrive with the next poll.
  await page.waitForFunction(() => document.getElementById('count-viewers')?.textContent === '5,542', undefined, { timeout: 10_000 })
  expect(await counts(page)).toEqual(['4', '5,542', '8', '0', '8'])
  await stillNoReload(page)
  await shot(page, 'dashboard')
}, 60_000)

test('after many changes at once the rows are still exactly in sort order', async () => {
  // Several rows change in the same poll, round after round; the page re-files each one.
  const movers = [s[1]!, s[2]!, s[3]!]
  for (let round = 0; round < 4; round++) {
    await Promise.all(movers.map((slug, i) => simPatch(stack.simUrl!, slug, { viewers: 50 + ((i * 173 + round * 389) % 900) })))
    await Bun.sleep(1300)
  }
  const last = movers.map((_, i) => 50 + ((i * 173 + 3 * 389) % 900))
  await page.waitForFunction((want) => want.every(([slug, v]) => document.getElementById(`row-${slug}`)?.dataset.viewers === String(v)), movers.map((m, i) => [m, last[i]]), { timeout: 15_000 })
  const rows = await page.$$eval('#rows > .row[data-slug]', (rs) => rs.map((r) => ({ live: (r as HTMLElement).dataset.live === '1', viewers: Number((r as HTMLElement).dataset.viewers), name: (r as HTMLElement).dataset.name! })))
  const sorted = [...rows].sort((a, b) => (a.live !== b.live ? (a.live ? -1 : 1) : b.viewers - a.viewers || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
  expect(rows).toEqual(sorted)
  expect(await page.locator('#count-viewers').textContent()).toBe(new Intl.NumberFormat('en-US').format(rows.filter((r) => r.live).reduce((n, r) => n + r.viewers, 0)))
}, 60_000)

test('sort, filters and grouping stay in the URL, follow live changes and survive navigation', async () => {
  await page.fill('#f-q', s[1]!.slice(0, 6))
  await page.waitForFunction((q) => location.search.includes(`q=${q}`), s[1]!.slice(0, 6))
  expect(await visibleRows(page)).toContain(s[1]!)
  await page.fill('#f-q', '')
  await page.check('input[name=live]')
  await page.selectOption('select[name=sort]', 'name')
  await page.selectOption('select[name=group]', 'category')
  await page.waitForFunction(() => location.search === '?sort=name&live=1&group=category')
  const live = [s[0], s[1], s[2], s[3]]
  expect((await visibleRows(page)).sort()).toEqual([...live].sort() as string[])
  const groups = await page.$$eval('#rows > .row.group:not([hidden])', (gs) => gs.map((g) => g.textContent!.trim()))
  expect(groups[0]).toMatch(/^Chess · 1$/)
  await shot(page, 'dashboard-filtered')

  // A streamer going offline leaves the live-only view at once.
  await simPatch(stack.simUrl!, s[3]!, { live: false })
  await page.waitForFunction((slug) => document.getElementById(`row-${slug}`)?.hidden === true, s[3], { timeout: 15_000 })
  expect(await page.locator('#count-shown').textContent()).toBe('3')

  // Off to a streamer page and back: the view is still there, from the URL.
  await page.click(`#a-${s[2]}`)
  await page.waitForURL(`${stack.gatewayUrl}/streamers/${s[2]}`)
  await page.goBack()
  await page.waitForURL(/\?sort=name&live=1&group=category$/)
  expect(await page.locator('select[name=sort]').inputValue()).toBe('name')
  expect(await page.locator('input[name=live]').isChecked()).toBe(true)
  expect((await visibleRows(page)).length).toBe(3)
  // And the nav's dashboard link on other pages brings the same view back.
  await page.goto(`${stack.gatewayUrl}/account`)
  await page.click('#nav-dashboard')
  await page.waitForURL(/\?sort=name&live=1&group=category$/)
  await page.goto(`${stack.gatewayUrl}/`)
  await page.waitForSelector('#conn[data-state="open"]')
}, 60_000)

test('the keyboard reaches everything: "/" searches, Escape clears, Tab shows focus', async () => {
  await page.keyboard.press('/')
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-q')
  await page.keyboard.type('zzz-nothing-matches')
  await page.waitForFunction(() => document.getElementById('empty')?.hidden === false)
  expect(await page.locator('#empty').textContent()).toBe('No streamer matches these filters.')
  await page.keyboard.press('Escape')
  await page.waitForFunction(() => document.getElementById('empty')?.hidden === true)
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  await page.goto(`${stack.gatewayUrl}/`)
  await page.keyboard.press('Tab')
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('skip to content')
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)
  expect(outline).toBe('solid') // a visible focus ring
})

test('a lost connection shows itself and comes back to a fresh snapshot', async () => {
  await page.goto(`${stack.gatewayUrl}/`)
  await page.waitForSelector('#conn[data-state="open"]')
  await noReload(page)
  const gw = stack.procs.get('gateway')!
  gw.kill('SIGKILL')
  await page.waitForSelector('#conn[data-state="closed"]', { timeout: 10_000 })
  expect(await page.locator('#conn').textContent()).toBe('connection lost, reconnecting…')
  await shot(page, 'dashboard-disconnected', false)
  await simPatch(stack.simUrl!, s[4]!, { live: true, viewers: 777, title: 'went live while you were away' })
  // The supervisor restarts the gateway; the page reconnects by itself.
  await page.waitForSelector('#conn[data-state="open"]', { timeout: 30_000 })
  await page.waitForFunction((slug) => document.querySelector(`#row-${slug} .title`)?.textContent === 'went live while you were away', s[4], { timeout: 15_000 })
  await stillNoReload(page)
}, 60_000)

test('on a phone the dashboard keeps name, state and viewers in view', async () => {
  const { ctx, page: phone } = await loggedIn(browser, stack.gatewayUrl, ADMIN.username, ADMIN.password, { width: 390, height: 844 })
  const box = await phone.locator(`#row-${s[0]} .viewers`).boundingBox()
  expect(box!.x + box!.width).toBeLessThanOrEqual(390)
  expect(await phone.locator(`#row-${s[0]} .title`).isVisible()).toBe(false)
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  await shot(phone, 'dashboard-phone', false)
  await ctx.close()
})

test('a streamer nobody can read is shown as stale with its last known state, never as offline', async () => {
  await page.goto(`${stack.gatewayUrl}/`)
  await page.waitForSelector('#conn[data-state="open"]')
  await fetch(`${stack.simUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 1 }) })
  try {
    await page.waitForSelector(`#row-${s[0]} .badge.stale`, { timeout: 30_000 })
    expect(await page.locator(`#row-${s[0]} .state`).textContent()).toContain('was live')
    expect(await page.locator(`#row-${s[0]} .viewers .num`).textContent()).toBe('5,000') // last known, kept
    // Counted as stale, not as live: nobody knows whether they still are.
    await page.waitForFunction(() => document.getElementById('count-live')?.textContent === '0', undefined, { timeout: 30_000 })
    expect(await page.locator('.counts .stale-count').isVisible()).toBe(true)
    await shot(page, 'dashboard-stale')
  } finally {
    await fetch(`${stack.simUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' })
  }
}, 60_000)
