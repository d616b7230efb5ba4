// Shared steps for the end-to-end tests: the API as an admin script would use it, and
// logging a browser in. Everything goes through the real services started by testStack().
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { join } from 'node:path'
import { ARTIFACTS } from '../harness/browser.ts'
import { gatewayLogin } from '../harness/gateway-login.ts'
import { ADMIN } from '../harness/stack.ts'

export type Api = {
  call: (method: string, path: string, body?: unknown) => Promise<Response>
  json: <T>(method: string, path: string, body?: unknown) => Promise<T>
}

/** The JSON API with an admin session (cookie + CSRF token), as a script would use it. */
export async function adminApi(gatewayUrl: string): Promise<Api> {
  const { cookie, csrf: csrf_token } = await gatewayLogin(gatewayUrl, ADMIN)
  const call = (method: string, path: string, body?: unknown) =>
    fetch(gatewayUrl + path, {
      method,
      headers: { cookie, 'x-csrf-token': csrf_token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  return {
    call,
    json: async <T>(method: string, path: string, body?: unknown) => {
      const res = await call(method, path, body)
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
      return (res.status === 204 ? null : await res.json()) as T
    },
  }
}

export async function simChannels(simUrl: string): Promise<string[]> {
  return ((await (await fetch(`${simUrl}/_sim/channels`)).json()) as { slug: string }[]).map((c) => c.slug)
}

export function simPatch(simUrl: string, slug: string, body: object) {
  return fetch(`${simUrl}/_sim/channels/${slug}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

/** A fresh browser context logged in as this user, on the dashboard with the live feed open. */
export async function loggedIn(browser: Browser, gatewayUrl: string, username: string, password: string, viewport = { width: 1360, height: 860 }): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport })
  const page = await ctx.newPage()
  page.on('pageerror', (e) => console.error(`[${username}] page error:`, e.message))
  await page.goto(`${gatewayUrl}/login`)
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]')
  await page.waitForURL(`${gatewayUrl}/`)
  await page.waitForSelector('#conn[data-state="open"]')
  return { ctx, page }
}

/** A page of its own with the admin signed in (loggedIn). */
export async function adminPage(browser: Browser, gatewayUrl: string): Promise<Page> {
  return (await loggedIn(browser, gatewayUrl, ADMIN.username, ADMIN.password)).page
}

/** The end of an end-to-end file: the browser closed, then the stack stopped (either may be missing when setup failed). */
export async function closeAll(browser: Browser | undefined, stack: { destroy: () => Promise<void> } | undefined) {
  await browser?.close()
  await stack?.destroy()
}

/** The slugs of the dashboard rows a page shows, in display order. */
export function visibleRows(page: Page): Promise<string[]> {
  return page.$$eval('#rows > .row[data-slug]:not([hidden])', (rows) => rows.map((r) => (r as HTMLElement).dataset.slug!))
}

export const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage })
