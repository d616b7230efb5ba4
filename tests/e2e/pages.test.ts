import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser, ConsoleMessage } from 'playwright-core'
import { launchBrowser } from '../harness/browser.ts'
import { ADMIN, testStack } from '../harness/stack.ts'
import { adminApi, closeAll, loggedIn, shot, simChannels, simPatch } from './helpers.ts'

// Every page, on a desktop and a phone: it renders without a script error or a single
// Content-Security-Policy violation, every form control has a label, images have alt text,
// nothing overflows a phone screen, and the admin pages' forms work. Screenshots of each
// page land in test-artifacts/.
let stack: Awaited<ReturnType<typeof testStack>>
let browser: Browser
let s: string[]

beforeAll(async () => {
  stack = await testStack({ sim: { channels: 6, activity: false } })
  s = await simChannels(stack.simUrl!)
  const api = await adminApi(stack.gatewayUrl)
  await simPatch(stack.simUrl!, s[0]!, { live: true, viewers: 321, title: 'a <b>bold</b> title' })
  for (const slug of s.slice(0, 4)) await api.json('POST', '/api/v1/streamers', { slug })
  await api.json('POST', '/api/v1/users', { username: 'carol', password: 'carol-password', role: 'user' })
  browser = await launchBrowser()
}, 120_000)

afterAll(() => closeAll(browser, stack))

const PAGES = ['/', '/streamers/{0}', '/admin/users', '/admin/streamers', '/admin/pages', '/share', '/account', '/notifications', '/system']

for (const [device, viewport] of [['desktop', { width: 1360, height: 860 }], ['phone', { width: 390, height: 844 }]] as const) {
  test(`every page on a ${device}: no script error, no CSP violation, labelled controls`, async () => {
    const { ctx, page } = await loggedIn(browser, stack.gatewayUrl, ADMIN.username, ADMIN.password, viewport)
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`)
    })
    for (const p of PAGES) {
      const path = p.replace('{0}', s[0]!)
      const r = await page.goto(stack.gatewayUrl + path)
      expect(r!.status()).toBe(200)
      await page.waitForLoadState('networkidle')
      const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
        els.filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML.slice(0, 80)),
      )
      expect(unlabelled).toEqual([])
      expect(await page.$$eval('img:not([alt])', (els) => els.length)).toBe(0)
      if (device === 'phone') expect({ path, width: await page.evaluate(() => document.documentElement.scrollWidth) }).toEqual({ path, width: viewport.width })
      await shot(page, `page${path === '/' ? '-dashboard' : path.replace(/\//g, '-').replace(s[0]!, 'streamer')}-${device}`)
    }
    await page.goto(`${stack.gatewayUrl}/login`)
    expect(problems).toEqual([])
    await ctx.close()
    const anon = await browser.newPage({ viewport })
    await anon.goto(`${stack.gatewayUrl}/login`)
    await shot(anon, `page-login-${device}`, false)
    await anon.close()
  }, 90_000)
}

test('admin streamers: add with a clear error for unknown slugs, import a pasted list, remove, audit log', async () => {
  const { ctx, page } = await loggedIn(browser, stack.gatewayUrl, ADMIN.username, ADMIN.password)
  await page.goto(`${stack.gatewayUrl}/admin/streamers`)
  await page.fill('form[hx-post="/admin/streamers"] input[name=slug]', 'no-such-channel')
  await page.click('form[hx-post="/admin/streamers"] button')
  await page.waitForSelector('#add-result .error')
  expect(await page.locator('#add-result').textContent()).toBe('Kick has no channel named "no-such-channel"')
  await page.fill('form[hx-post="/admin/streamers"] input[name=slug]', `kick.com/${s[4]}`)
  await page.click('form[hx-post="/admin/streamers"] button')
  await page.waitForSelector(`#monitored-body #m-${s[4]}`)

  await page.fill('textarea[name=list]', `${s[5]}\nhttps://kick.com/${s[0]}\nno-such-channel\nNOT_A_SLUG!`)
  await page.click('form[hx-post="/admin/streamers/import"] button')
  await page.waitForSelector('#import-result .import-results')
  const results = await page.locator('#import-result').textContent()
  expect(results).toContain('1 added · 1 already monitored · 1 unknown to Kick · 1 failed')
  expect(results).toContain('Kick has no channel named "no-such-channel"')

  page.once('dialog', (d) => void d.accept())
  await page.locator(`#m-${s[4]}`).getByRole('button', { name: 'remove' }).click()
  await page.waitForSelector(`#m-${s[4]}`, { state: 'detached' })
  await page.goto(`${stack.gatewayUrl}/admin/streamers?action=streamer.`)
  const changes = await page.locator('#audit-title + form + div tbody tr').allTextContents()
  const row = (action: string, slug: string) => changes.filter((t) => t.includes(action) && t.includes(`streamer:${slug}`) && t.includes(ADMIN.username))
  expect(row('streamer.add', s[4]!)).toHaveLength(1)
  expect(row('streamer.add', s[5]!)).toHaveLength(1)
  expect(row('streamer.remove', s[4]!)).toHaveLength(1)
  await page.goto(`${stack.gatewayUrl}/admin/streamers?action=user.create`)
  expect(await page.locator('#audit-title + form + div tbody tr').count()).toBeGreaterThanOrEqual(1)
  expect(await page.locator('#audit-title + form + div tbody').textContent()).toContain('user.create')
  await ctx.close()
}, 60_000)

test('admin streamers: remove archives with the history kept, resume brings it back, purge needs the slug typed', async () => {
  const slug = s[3]!
  const [{ id }] = (await stack.db.sql<{ id: number }[]>`select id from streamers where slug = ${slug}`) as unknown as [{ id: number }]
  const { ctx, page } = await loggedIn(browser, stack.gatewayUrl, ADMIN.username, ADMIN.password)
  await page.goto(`${stack.gatewayUrl}/admin/streamers`)
  let asked = ''
  page.once('dialog', (d) => void ((asked = d.message()), d.accept()))
  await page.locator(`#m-${slug}`).getByRole('button', { name: 'remove' }).click()
  await page.waitForSelector(`#m-${slug}`, { state: 'detached' })
  expect(asked).toContain('It is archived: its history (events, streams, viewer samples, profile) and assignments are kept')
  expect(asked).toContain('Nothing is deleted.')

  await page.reload()
  await page.waitForSelector(`#archived-body #a-${slug}`)
  await shot(page, 'admin-streamers-archived')
  const r = await page.goto(`${stack.gatewayUrl}/streamers/${slug}`)
  expect(r!.status()).toBe(200)
  expect(await page.locator('#now-title').textContent()).toBe('archived')
  expect(await page.locator('.panel.archived').textContent()).toContain('Not monitored since')

  await page.goto(`${stack.gatewayUrl}/admin/streamers`)
  await page.locator(`#a-${slug} summary`).click()
  await page.fill(`#a-${slug} input[name=confirm]`, 'not-the-slug')
  await page.locator(`#a-${slug}`).getByRole('button', { name: 'purge history' }).click()
  await page.waitForSelector('#archived-result .error')
  expect(await page.locator('#archived-result').textContent()).toContain(`type "${slug}" to purge its history`)
  expect((await stack.db.sql`select id from streamers where slug = ${slug}`).length).toBe(1)

  await page.locator(`#a-${slug}`).getByRole('button', { name: 'resume' }).click()
  await page.waitForSelector(`#monitored-body #m-${slug}`)
  await page.waitForSelector(`#a-${slug}`, { state: 'detached' })
  expect(await page.locator('#archived-result').textContent()).toContain('monitored again, with its history')
  expect((await stack.db.sql`select id from streamers where slug = ${slug} and archived_at is null`).map((x) => x.id)).toEqual([id])

  page.once('dialog', (d) => void d.accept())
  await page.locator(`#m-${slug}`).getByRole('button', { name: 'remove' }).click()
  await page.waitForSelector(`#m-${slug}`, { state: 'detached' })
  await page.reload()
  await page.locator(`#a-${slug} summary`).click()
  await page.fill(`#a-${slug} input[name=confirm]`, slug)
  await page.locator(`#a-${slug}`).getByRole('button', { name: 'purge history' }).click()
  await page.waitForSelector(`#a-${slug}`, { state: 'detached' })
  expect(await page.locator('#archived-result').textContent()).toMatch(new RegExp(`^${slug} purged: \\d+ events, \\d+ streams and \\d+ viewer samples deleted\\.$`))
  expect((await stack.db.sql`select id from streamers where slug = ${slug}`).length).toBe(0)
  expect((await stack.db.sql`select 1 from status_events where streamer_id = ${id} union all select 1 from stream_sessions where streamer_id = ${id}`).length).toBe(0)
  await page.goto(`${stack.gatewayUrl}/admin/streamers?action=streamer.purge`)
  expect(await page.locator('#audit-title + form + div tbody').textContent()).toContain(`streamer:${slug}`)
  await ctx.close()
}, 90_000)

test('account: a wrong current password is refused clearly; an API key is shown once and works', async () => {
  const { ctx, page } = await loggedIn(browser, stack.gatewayUrl, 'carol', 'carol-password')
  await page.goto(`${stack.gatewayUrl}/account`)
  await page.fill('input[name=current_password]', 'not-my-password')
  await page.fill('input[name=new_password]', 'carol-password-2')
  await page.fill('input[name=confirm]', 'carol-password-2')
  await page.click('form[hx-post="/account/password"] button')
  await page.waitForSelector('#pw-result .error')
  expect(await page.locator('#pw-result').textContent()).toContain('the current password is not right')

  await page.fill('form[hx-post="/account/api-keys"] input[name=name]', 'grafana')
  await page.click('form[hx-post="/account/api-keys"] button')
  const key = await page.locator('#key-result input.key').inputValue()
  expect(key).toMatch(/^kmk_[0-9a-f]{8}_[0-9a-f]{64}$/)
  await page.waitForSelector('#keys-body tr')
  const me = await fetch(`${stack.gatewayUrl}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } })
  expect(((await me.json()) as { user: { username: string }; scope: string })).toMatchObject({ user: { username: 'carol' }, scope: 'read' })
  await page.reload()
  expect(await page.content()).not.toContain(key) // shown once, never again
  page.once('dialog', (d) => void d.accept())
  await page.locator('#keys-body tr').first().getByRole('button', { name: 'revoke' }).click()
  await page.waitForFunction(() => document.querySelectorAll('#keys-body tr').length === 0)
  expect((await fetch(`${stack.gatewayUrl}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401)
  await ctx.close()
}, 60_000)
