import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser } from 'playwright-core'
import { launchBrowser } from '../harness/browser.ts'
import { ADMIN, testStack } from '../harness/stack.ts'
import { adminApi, closeAll, loggedIn, shot, simChannels, type Api, visibleRows } from './helpers.ts'

// Roles in a real browser: each role sees exactly its streamers and pages; an admin creates
// a user and assigns streamers in the UI and that user's open dashboard gains them live;
// ending a session from another device logs the browser out; a user adds a streamer.
let stack: Awaited<ReturnType<typeof testStack>>
let browser: Browser
let api: Api
let s: string[]
const PW = 'e2e-user-password'
let alice: { id: number }

beforeAll(async () => {
  stack = await testStack({ sim: { channels: 7, activity: false } })
  s = await simChannels(stack.simUrl!)
  api = await adminApi(stack.gatewayUrl)
  for (const slug of s.slice(0, 5)) await api.json('POST', '/api/v1/streamers', { slug })
  alice = await api.json('POST', '/api/v1/users', { username: 'alice', password: PW, role: 'user' })
  const vic = await api.json<{ id: number }>('POST', '/api/v1/users', { username: 'vic', password: PW, role: 'viewer' })
  await api.json('PUT', `/api/v1/users/${alice.id}/streamers`, { slugs: [s[0], s[1]] })
  await api.json('PUT', `/api/v1/users/${vic.id}/streamers`, { slugs: [s[1]] })
  browser = await launchBrowser()
}, 120_000)

afterAll(() => closeAll(browser, stack))

const navLinks = (page: import('playwright-core').Page) => page.$$eval('.topnav a:not(.brand)', (as) => as.map((a) => a.textContent!.trim()))

test('each role sees exactly its streamers and its pages', async () => {
  const want = { admin: s.slice(0, 5), alice: [s[0]!, s[1]!], vic: [s[1]!] }
  for (const [name, slugs] of Object.entries(want)) {
    const { ctx, page } = await loggedIn(browser, stack.gatewayUrl, name, name === 'admin' ? ADMIN.password : PW)
    await page.waitForFunction((n) => document.querySelectorAll('#rows > .row[data-slug]').length === n, slugs.length)
    expect((await visibleRows(page)).sort()).toEqual([...slugs].sort())
    expect(await page.locator('#count-total').textContent()).toBe(String(slugs.length))
    await shot(page, `dashboard-${name}`)
    if (name === 'admin') {
      expect(await navLinks(page)).toEqual(['dashboard', 'streamers', 'users', 'pages', 'system', 'share', 'notifications', 'account'])
      for (const p of ['/admin/users', '/admin/streamers', '/admin/pages', '/system']) expect((await page.goto(stack.gatewayUrl + p))!.status()).toBe(200)
    } else {
      expect(await navLinks(page)).toEqual(['dashboard', 'share', 'notifications', 'account'])
      expect(await page.locator('form.add').count()).toBe(name === 'alice' ? 1 : 0) // viewers cannot add
      for (const p of ['/admin/users', '/admin/streamers', '/admin/pages', '/system']) {
        const r = await page.goto(stack.gatewayUrl + p)
        expect(r!.status()).toBe(403)
        expect(await page.locator('h1').textContent()).toBe('403 forbidden')
      }
      if (name === 'vic') await shot(page, 'error-403', false)
      const hidden = s.slice(0, 5).find((x) => !slugs.includes(x))!
      expect((await page.goto(`${stack.gatewayUrl}/streamers/${hidden}`))!.status()).toBe(404)
      expect((await page.goto(`${stack.gatewayUrl}/streamers/${slugs[0]}`))!.status()).toBe(200)
    }
    await ctx.close()
  }
}, 90_000)

test('an admin creates a user and assigns streamers; that user’s open dashboard gains them live', async () => {
  const admin = await loggedIn(browser, stack.gatewayUrl, ADMIN.username, ADMIN.password)
  const page = admin.page
  await page.goto(`${stack.gatewayUrl}/admin/users`)
  await page.fill('form[hx-post="/admin/users"] input[name=username]', 'newbie')
  await page.fill('form[hx-post="/admin/users"] input[name=display_name]', 'New Bie')
  await page.selectOption('form[hx-post="/admin/users"] select[name=role]', 'viewer')
  await page.fill('form[hx-post="/admin/users"] input[name=password]', PW)
  await page.click('form[hx-post="/admin/users"] button[type=submit]')
  await page.waitForSelector('#create-result .notice')
  expect(await page.locator('#create-result').textContent()).toContain('created newbie [viewer]')
  const row = page.locator('#users-body tr', { hasText: 'newbie' }).first()
  await row.waitFor()

  // The new user opens their (empty) dashboard before anything is assigned.
  const newbie = await loggedIn(browser, stack.gatewayUrl, 'newbie', PW)
  expect(await visibleRows(newbie.page)).toEqual([])
  expect(await newbie.page.locator('#empty').textContent()).toContain('No streamers are assigned to you yet')
  await newbie.page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true))

  await row.getByRole('button', { name: 'streamers…' }).click()
  const editor = page.locator('form.assign')
  await editor.waitFor()
  await editor.locator(`input[value="${s[2]}"]`).check()
  await editor.locator(`input[value="${s[3]}"]`).check()
  expect(await editor.locator('[data-count-checked]').textContent()).toBe('2')
  await shot(page, 'admin-users')
  await editor.getByRole('button', { name: 'save assignments' }).click()
  await editor.locator('.result .notice').waitFor()
  expect(await editor.locator('.result').textContent()).toContain('saved: 2 streamers')

  await newbie.page.waitForFunction((n) => document.querySelectorAll('#rows > .row[data-slug]:not([hidden])').length === n, 2, { timeout: 10_000 })
  expect((await visibleRows(newbie.page)).sort()).toEqual([s[2]!, s[3]!].sort())
  expect(await newbie.page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true)

  // Disabling the account closes its dashboard at once.
  await page.goto(`${stack.gatewayUrl}/admin/users`)
  await page.locator('#users-body tr', { hasText: 'newbie' }).first().getByRole('button', { name: 'disable' }).click()
  await newbie.page.waitForURL(/\/login/, { timeout: 10_000 })
  await admin.ctx.close()
  await newbie.ctx.close()
}, 90_000)

test('ending a session from another device logs that browser out', async () => {
  const first = await loggedIn(browser, stack.gatewayUrl, 'alice', PW)
  const second = await loggedIn(browser, stack.gatewayUrl, 'alice', PW)
  await second.page.goto(`${stack.gatewayUrl}/account`)
  const others = second.page.locator('#sessions-body tr:not(.current)')
  expect(await others.count()).toBeGreaterThanOrEqual(1)
  await shot(second.page, 'account')
  await others.first().getByRole('button', { name: 'end' }).click()
  await first.page.waitForURL(`${stack.gatewayUrl}/login`, { timeout: 10_000 })
  // …and that browser's cookie is dead: the dashboard sends it to the login page again.
  await first.page.goto(`${stack.gatewayUrl}/`)
  expect(first.page.url()).toEndWith('/login')
  expect(second.page.url()).toEndWith('/account') // the other device stays in
  await first.ctx.close()
  await second.ctx.close()
}, 60_000)

test('a user adds a streamer from the dashboard: Kick checks it, and it joins their list live', async () => {
  const { ctx, page } = await loggedIn(browser, stack.gatewayUrl, 'alice', PW)
  await page.fill('form.add input[name=slug]', 'no-such-channel')
  await page.click('form.add button[type=submit]')
  await page.waitForSelector('#add-result .error')
  expect(await page.locator('#add-result').textContent()).toBe('Kick has no channel named "no-such-channel"')
  await page.fill('form.add input[name=slug]', `https://kick.com/${s[5]}`)
  await page.click('form.add button[type=submit]')
  await page.waitForSelector('#add-result .notice')
  await page.waitForSelector(`#row-${s[5]}`, { timeout: 10_000 })
  expect((await visibleRows(page)).sort()).toEqual([s[0]!, s[1]!, s[5]!].sort())
  await ctx.close()
}, 60_000)
