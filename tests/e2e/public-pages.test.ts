import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser, BrowserContext } from 'playwright-core'
import { launchBrowser } from '../harness/browser.ts'
import { testStack } from '../harness/stack.ts'
import { adminApi, closeAll, shot, simChannels, simPatch } from './helpers.ts'

// A public status page in a real Chromium without an account: it updates live when a
// streamer changes in kick-sim, sets no cookie, and its /embed works inside an <iframe> on
// another origin that the page allows, and is refused by the browser on one it does not.
let stack: Awaited<ReturnType<typeof testStack>>
let browser: Browser
let ctx: BrowserContext
let slugs: string[]
let allowed: ReturnType<typeof Bun.serve>
let foreign: ReturnType<typeof Bun.serve>

/** A page on another origin that frames the status page's embed. */
const host = (gateway: string) =>
  Bun.serve({
    port: 0, hostname: '127.0.0.1',
    fetch: () => new Response(`<!doctype html><title>fan site</title><h1>Our streamers</h1><iframe id="kick" src="${gateway}/p/team/embed" width="1100" height="360"></iframe>`, { headers: { 'content-type': 'text/html' } }),
  })

beforeAll(async () => {
  stack = await testStack({ sim: { channels: 4, activity: false } })
  slugs = (await simChannels(stack.simUrl!)).slice(0, 3)
  for (const s of slugs) await simPatch(stack.simUrl!, s, { live: false })
  const api = await adminApi(stack.gatewayUrl)
  for (const s of slugs) await api.json('POST', '/api/v1/streamers', { slug: s })
  // The frame's host is "localhost", the gateway "127.0.0.1": two origins.
  const gateway = stack.gatewayUrl.replace('127.0.0.1', 'localhost')
  allowed = host(gateway)
  foreign = host(gateway)
  await api.json('POST', '/api/v1/status-pages', {
    slug: 'team', title: 'Team Kick', description: 'Who of ours is live right now', streamers: slugs.slice(0, 2),
    show_viewers: true, show_history: true, embed_origins: [`http://127.0.0.1:${allowed.port}`],
  })
  browser = await launchBrowser()
  ctx = await browser.newContext({ viewport: { width: 1200, height: 700 } })
}, 120_000)

afterAll(async () => {
  allowed?.stop(true)
  foreign?.stop(true)
  await closeAll(browser, stack)
})

test('a public page updates live, shows only its streamers and sets no cookie', async () => {
  const page = await ctx.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const res = await page.goto(`${stack.gatewayUrl}/p/team`)
  expect(res?.status(), `GET /p/team answered: ${await res?.text()}`).toBe(200)
  await page.waitForSelector('#conn[data-state="open"]').catch(async (e) => {
    // What the services said, for a failure that only shows inside the whole suite.
    console.log(`#conn is "${await page.locator('#conn').getAttribute('data-state')}"; the services' last lines:\n${((stack as unknown as { logs: string[] }).logs ?? []).slice(-60).join('\n')}`)
    throw e
  })
  expect(await page.locator('#p-rows .row').count()).toBe(2)
  expect(await page.locator(`#pr-${slugs[2]}`).count()).toBe(0)
  await shot(page, 'public-page-before')

  await simPatch(stack.simUrl!, slugs[0]!, { live: true, viewers: 4321, title: 'ranked grind <b>', category: 'Chess' })
  const row = page.locator(`#pr-${slugs[0]}`)
  await row.locator('.badge.live').waitFor({ timeout: 15_000 })
  await page.waitForFunction((s) => document.querySelector(`#pr-${s} .viewers`)?.textContent?.includes('4,321'), slugs[0], { timeout: 15_000 })
  expect(await row.locator('.title').textContent()).toBe('ranked grind <b>')
  expect(await page.locator('#p-live').textContent()).toBe('1')
  // The "live for" clock is filled in by the page's script.
  await page.waitForFunction((s) => /\d+m \d+s|\d+h/.test(document.querySelector(`#pr-${s} .since time`)?.textContent ?? ''), slugs[0])
  // A streamer on no page changing says nothing here.
  await simPatch(stack.simUrl!, slugs[2]!, { live: true, viewers: 99, title: 'not on this page' })
  await Bun.sleep(2500)
  expect(await page.content()).not.toContain('not on this page')
  await shot(page, 'public-page-live')
  expect(await ctx.cookies()).toEqual([])
  expect(errors).toEqual([])
  await page.close()
}, 60_000)

test('the live feed opens even when the page\'s scripts arrive late and out of step', async () => {
  // On a slow link htmx can start (it waits only a task once the page is parsed) before a
  // later <script defer> has arrived: with the WebSocket extension or app.js in their own files,
  // the feed then never opened, or opened without the page saying so.
  const page = await ctx.newPage()
  await page.route('**/assets/*.js', async (route) => {
    if (!route.request().url().endsWith('/htmx.min.js')) await Bun.sleep(1200)
    await route.continue()
  })
  await page.goto(`${stack.gatewayUrl}/p/team`)
  await page.waitForSelector('#conn[data-state="open"]', { timeout: 15_000 })
  expect(await page.locator('#p-rows .row').count()).toBe(2)
  await page.close()
}, 60_000)

test('the embed works in an iframe on an allowed origin, live, and is refused on another', async () => {
  const page = await ctx.newPage()
  // The embed's own response, to tell "not served" from "served but its feed never opened".
  const embedAnswer = page.waitForResponse((r) => r.url().includes('/p/team/embed'), { timeout: 30_000 }).then((r) => r.status(), () => 'none')
  await page.goto(`http://127.0.0.1:${allowed.port}/`)
  const frame = page.frameLocator('#kick')
  // 30 s like the first test's wait: inside the whole suite this machine can be slow to open it.
  await frame.locator('#conn[data-state="open"]').waitFor({ timeout: 30_000 }).catch(async (e) => {
    const state = await frame.locator('#conn').getAttribute('data-state', { timeout: 1000 }).catch(() => 'absent')
    console.log(`embed answered ${await embedAnswer}; its #conn is "${state}"; the services' last lines:\n${((stack as unknown as { logs: string[] }).logs ?? []).slice(-60).join('\n')}`)
    throw e
  })
  expect(await frame.locator('#p-rows .row').count()).toBe(2)
  await simPatch(stack.simUrl!, slugs[1]!, { live: true, viewers: 2024, title: 'in the frame' })
  await frame.locator(`#pr-${slugs[1]} .badge.live`).waitFor({ timeout: 15_000 })
  expect(await frame.locator(`#pr-${slugs[1]} .title`).textContent()).toBe('in the frame')
  await frame.locator(`#pr-${slugs[0]} .since time`).filter({ hasText: /\d+m \d+s/ }).waitFor({ timeout: 5000 })
  await shot(page, 'public-embed-iframe')

  // Same embed, framed from an origin the page does not list: the browser blocks it.
  const other = await ctx.newPage()
  await other.goto(`http://127.0.0.1:${foreign.port}/`)
  await other.waitForTimeout(1500)
  const inner = other.frames().find((f) => f !== other.mainFrame())
  const rows = inner ? await inner.locator('#p-rows .row').count().catch(() => 0) : 0
  expect(rows).toBe(0)
  await shot(other, 'public-embed-refused')
  await page.close()
  await other.close()
}, 90_000)
