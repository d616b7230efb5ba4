import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser } from 'playwright-core'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launchBrowser } from '../harness/browser.ts'
import { startCaddy, type Caddy } from '../harness/caddy.ts'
import { eventually } from '../harness/services.ts'
import { readSse } from '../harness/sse.ts'
import { ADMIN, testStack } from '../harness/stack.ts'
import { adminApi, shot, simChannels, simPatch } from './helpers.ts'

// The gateway behind a real Caddy (Debian's package, our deploy/caddy/Caddyfile, `tls internal`
// on loopback) with TRUSTED_PROXIES=127.0.0.1: a real Chromium logs in over HTTPS (__Host-
// cookie, HSTS) and watches the live feed through the proxy; failed logins from one client
// address do not lock out another (curl binds distinct loopback source addresses 127.0.0.x,
// Caddy forwards each in X-Forwarded-For).
let stack: Awaited<ReturnType<typeof testStack>>
let caddy: Caddy
let browser: Browser
let caFile: string
let s: string[]

beforeAll(async () => {
  stack = await testStack({ sim: { channels: 3, activity: false }, env: { TRUSTED_PROXIES: '127.0.0.1,::1' } })
  caddy = await startCaddy(stack.gatewayUrl.replace('http://', ''))
  caFile = join(tmpdir(), `kickmon-caddy-ca-${process.pid}.pem`)
  writeFileSync(caFile, caddy.ca)
  s = await simChannels(stack.simUrl!)
  const api = await adminApi(stack.gatewayUrl)
  for (const slug of s) await api.json('POST', '/api/v1/streamers', { slug })
  browser = await launchBrowser()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await caddy?.stop()
  await stack?.destroy()
})

/** A login through Caddy from the loopback address `from`, checking Caddy's certificate. */
async function curlLogin(from: string, password: string, headers: string[] = []): Promise<number> {
  const u = new URL(caddy.url)
  const p = Bun.spawn(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', caFile, '--interface', from,
    '--resolve', `${u.hostname}:${u.port}:127.0.0.1`, '-H', 'content-type: application/json', ...headers.flatMap((h) => ['-H', h]),
    '--data', JSON.stringify({ username: ADMIN.username, password }), `${caddy.url}/api/v1/auth/login`], { stdout: 'pipe', stderr: 'pipe' })
  const [out, err] = [await new Response(p.stdout).text(), await new Response(p.stderr).text()]
  if ((await p.exited) !== 0) throw new Error(`curl from ${from}: ${err}`)
  return Number(out)
}

test('one address hammering the admin is throttled; another address, and the admin in a real browser over HTTPS, are not', async () => {
  const t0 = performance.now()
  const codes: number[] = []
  for (let i = 0; i < 6; i++) codes.push(await curlLogin('127.0.0.2', 'wrong-password-' + i))
  const hammerMs = performance.now() - t0
  expect(codes).toEqual([401, 401, 401, 401, 401, 429]) // past the free failures, 127.0.0.2 must wait
  // A client cannot pass itself off as another: Caddy replaces the X-Forwarded-For it sends.
  expect(await curlLogin('127.0.0.4', 'wrong-again', ['X-Forwarded-For: 127.0.0.2'])).toBe(401)
  expect(await curlLogin('127.0.0.3', ADMIN.password)).toBe(200)

  // What auth recorded: each client's own address, never Caddy's.
  const failures = await stack.db.sql<{ ip: string; n: number }[]>`select ip, count(*)::int as n from login_failures group by ip order by ip`
  expect([...failures]).toEqual([{ ip: '127.0.0.2', n: 5 }, { ip: '127.0.0.4', n: 1 }])

  // The browser: HTTPS through Caddy, the __Host- cookie, HSTS, and the live feed over wss://.
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } })
  const page = await ctx.newPage()
  const t1 = performance.now()
  const loginPage = await page.goto(`${caddy.url}/login`)
  expect(loginPage!.headers()['strict-transport-security']).toMatch(/max-age=\d{8,}; includeSubDomains/)
  await page.fill('input[name=username]', ADMIN.username)
  await page.fill('input[name=password]', ADMIN.password)
  await page.click('button[type=submit]')
  await page.waitForURL(`${caddy.url}/`)
  await page.waitForSelector('#conn[data-state="open"]')
  const loginMs = performance.now() - t1
  const cookies = await ctx.cookies()
  expect(cookies.map((c) => [c.name, c.secure, c.httpOnly])).toEqual([['__Host-kickmon_session', true, true]])

  const sessions = await stack.db.sql<{ ip: string }[]>`select ip from user_sessions order by created_at`
  // (the first is the set-up's direct login)
  expect(sessions.map((r) => r.ip).slice(1)).toEqual(['127.0.0.3', expect.stringMatching(/^(127\.0\.0\.1|::1)$/)])

  // The live feed through the proxy: a go-live reaches the open page without a reload.
  const t2 = performance.now()
  await simPatch(stack.simUrl!, s[0]!, { live: true, viewers: 777, title: 'through caddy' })
  await page.waitForSelector(`#row-${s[0]} .badge.live`, { timeout: 20_000 })
  const feedMs = performance.now() - t2
  await shot(page, 'behind-caddy')

  // Server-sent events through the proxy too, arriving as they happen (not when a buffer fills).
  const session = cookies[0]!
  const res = await fetch(`${caddy.url}/api/v1/stream`, { headers: { cookie: `${session.name}=${session.value}` }, tls: { ca: caddy.ca } } as RequestInit)
  expect(res.status).toBe(200)
  const events: { event: string; data: { slug?: string; live?: boolean } }[] = []
  void readSse(res.body!, (event, data) => void events.push({ event, data: JSON.parse(data) }))
  await eventually(() => events.length > 0, 10_000, 'the first SSE event')
  const t3 = performance.now()
  await simPatch(stack.simUrl!, s[1]!, { live: true, viewers: 55 })
  await eventually(() => events.some((e) => e.data.slug === s[1] && e.data.live === true), 20_000, 'the go-live over SSE')
  const sseMs = performance.now() - t3
  await res.body!.cancel().catch(() => {})
  // The gateway's metrics stay off the public side.
  expect((await fetch(`${caddy.url}/metrics`, { tls: { ca: caddy.ca } } as RequestInit)).status).toBe(404)
  await ctx.close()
  console.log(`behind Caddy: 6 logins from one address ${hammerMs.toFixed(0)} ms; browser login to open feed ${loginMs.toFixed(0)} ms; go-live → page ${feedMs.toFixed(0)} ms; go-live → SSE ${sseMs.toFixed(0)} ms (poll interval 1 s)`)
}, 120_000)
