import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser } from '../harness/browser.ts'
import { eventually } from '../harness/services.ts'
import { testStack } from '../harness/stack.ts'
import { adminApi, adminPage, closeAll, shot, simChannels, simPatch } from './helpers.ts'

// The /notifications page in a real browser against the whole system (the notifier and the
// provider simulators as processes): add a Discord channel with the form, test it, add a
// rule, and watch the go-live delivery appear in the log without a reload. Then the
// streamer page's "notify me".

let stack: Awaited<ReturnType<typeof testStack>>
let browser: Browser
let page: Page
let slugs: string[]

beforeAll(async () => {
  stack = await testStack({ sim: { channels: 3, activity: false }, notifySim: true })
  slugs = await simChannels(stack.simUrl!)
  for (const s of slugs) await simPatch(stack.simUrl!, s, { live: false })
  const api = await adminApi(stack.gatewayUrl)
  for (const s of slugs) await api.json('POST', '/api/v1/streamers', { slug: s })
  browser = await launchBrowser()
  page = await adminPage(browser, stack.gatewayUrl)
}, 180_000)

afterAll(() => closeAll(browser, stack))

const discordMessages = async () => (await (await fetch(`${stack.notifySimUrl}/_sim/discord/messages`)).json()) as { id: string; content: string; embeds: { title: string }[]; edits: number }[]

test('add a channel, test it, add a rule, and see the delivery in the log without a reload', async () => {
  const hook = (await (await fetch(`${stack.notifySimUrl}/_sim/discord/webhooks`, { method: 'POST' })).json()) as { url: string; token: string }
  await page.click('a[href="/notifications"]')
  await page.waitForURL(`${stack.gatewayUrl}/notifications`)
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true))

  await page.click('details.channel-form summary:has-text("Discord")')
  const form = page.locator('form:has(input[name=type][value=discord])')
  await form.locator('input[name=name]').fill('team discord')
  await form.locator('input[name=webhook_url]').fill(hook.url)
  await form.locator('button[type=submit]').click()
  const row = page.locator('#channels-body tr[data-channel="team discord"]')
  await row.waitFor()
  expect(await row.textContent()).not.toContain(hook.token)
  await shot(page, 'notifications-channel-added')

  await row.locator('button:has-text("test")').click()
  await row.locator('.result .notice').waitFor()
  expect(await row.locator('.result').textContent()).toContain('the provider answered 200')
  expect((await discordMessages()).some((m) => m.content.startsWith('Test notification'))).toBe(true)
  await shot(page, 'notifications-tested')

  const rule = page.locator('form[hx-post="/notifications/rules"]')
  await rule.locator('select[name=channel_id]').selectOption({ label: 'team discord (discord)' })
  await rule.locator(`input[name=streamers][value="${slugs[0]}"]`).check()
  await rule.locator('button[type=submit]').click()
  await page.locator('#rules-body tr').first().waitFor()
  expect(await page.locator('#rules-body').textContent()).toContain(slugs[0]!)

  await simPatch(stack.simUrl!, slugs[0]!, { live: true, viewers: 420, title: 'hello from the e2e test' })
  const logRow = page.locator('#deliveries-body tr.delivery[data-status="sent"]', { hasText: `${slugs[0]} · online` })
  await logRow.waitFor({ timeout: 30_000 })
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true) // no reload happened
  const live = await eventually(async () => (await discordMessages()).find((m) => m.embeds[0]?.title?.includes('is live on Kick')), 10_000, 'the go-live message')
  expect(live.embeds[0]!.title).toContain('is live on Kick')
  await shot(page, 'notifications-delivery-log')
}, 120_000)

test('"notify me" on a streamer page creates a rule for that streamer, and stops it', async () => {
  await page.goto(`${stack.gatewayUrl}/streamers/${slugs[1]}`)
  const box = page.locator('#notify-me')
  await box.locator('button:has-text("notify me")').waitFor()
  await box.locator('button:has-text("notify me")').click()
  await page.locator('#notify-me', { hasText: 'notifying you via' }).waitFor()
  await shot(page, 'streamer-notify-me', false)
  const api = await adminApi(stack.gatewayUrl)
  const rules = await api.json<{ streamers: string[] | '*' }[]>('GET', `/api/v1/notification-rules?slug=${slugs[1]}`)
  expect(rules.some((r) => Array.isArray(r.streamers) && r.streamers.includes(slugs[1]!))).toBe(true)
  await page.locator('#notify-me button:has-text("stop")').click()
  await page.locator('#notify-me', { hasText: 'stopped' }).waitFor()
  const after = await api.json<{ streamers: string[] | '*' }[]>('GET', `/api/v1/notification-rules?slug=${slugs[1]}`)
  expect(after.some((r) => Array.isArray(r.streamers) && r.streamers.includes(slugs[1]!))).toBe(false)
}, 60_000)
