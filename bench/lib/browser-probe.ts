import type { Browser, Page } from 'playwright-core'
import { launchBrowser } from '../../tests/harness/browser.ts'
import type { Change } from './ws-fleet.ts'

// One real dashboard in Chromium. A MutationObserver in the page notes when each row's
// live-ness changes in the DOM (the moment htmx swapped the fragment in), on the same
// wall clock as the benchmark (performance.timeOrigin + now()).

type DomChange = { slug: string; live: boolean; at: number }
type WsArrival = { rows: [string, boolean][]; at: number }

// Installed before the page's scripts: notes when each feed message reached the page, so the
// DOM figure can be split into "on the wire" and "htmx swapping it in".
const WS_TAP = () => {
  const w = window as unknown as { __kmWs: { rows: [string, boolean][]; at: number }[]; WebSocket: typeof WebSocket }
  w.__kmWs = []
  const Native = w.WebSocket
  class Tapped extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      this.addEventListener('message', (e) => {
        const text = String(e.data)
        if (text.length > 100_000) return // a snapshot
        const rows = Array.from(text.matchAll(/id="row-([a-z0-9_-]+)"[^>]*?data-live="([^"]*)"/g), (m): [string, boolean] => [m[1]!, m[2] === 'true' || m[2] === '1'])
        w.__kmWs.push({ rows, at: performance.timeOrigin + performance.now() })
      })
    }
  }
  w.WebSocket = Tapped
}

const OBSERVER = () => {
  const w = window as unknown as { __kmChanges: { slug: string; live: boolean; at: number }[] }
  w.__kmChanges = []
  const last = new Map<string, string | null>()
  for (const r of Array.from(document.querySelectorAll('[id^="row-"]'))) last.set(r.id, r.getAttribute('data-live'))
  const note = (el: Element) => {
    if (!el.id?.startsWith('row-')) return
    const live = el.getAttribute('data-live')
    if (last.get(el.id) === live) return
    last.set(el.id, live)
    w.__kmChanges.push({ slug: el.id.slice(4), live: live === 'true' || live === '1', at: performance.timeOrigin + performance.now() })
  }
  new MutationObserver((muts) => {
    for (const m of muts) {
      if (m.type === 'attributes') note(m.target as Element)
      for (const n of Array.from(m.addedNodes)) {
        if (n.nodeType !== 1) continue
        note(n as Element)
        for (const r of Array.from((n as Element).querySelectorAll('[id^="row-"]'))) note(r)
      }
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-live'] })
}

export class BrowserProbe {
  private seen: DomChange[] = []
  private wire: WsArrival[] = []
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
  ) {}

  /** Logs in through the login form like a person and waits for the live feed. */
  static async open(gatewayUrl: string, username: string, password: string): Promise<BrowserProbe> {
    const browser = await launchBrowser()
    const page = await browser.newPage()
    await page.addInitScript(WS_TAP)
    await page.goto(`${gatewayUrl}/login`)
    await page.fill('input[name=username]', username)
    await page.fill('input[name=password]', password)
    await page.click('button[type=submit]')
    await page.waitForURL(`${gatewayUrl}/`)
    await page.waitForSelector('#conn[data-state="open"]', { timeout: 60_000 })
    await page.evaluate(OBSERVER)
    return new BrowserProbe(browser, page)
  }

  /** DOM changes noted since the last call. */
  async collect(): Promise<DomChange[]> {
    const { dom, ws } = await this.page.evaluate(() => {
      const w = window as unknown as { __kmChanges: DomChange[]; __kmWs: WsArrival[] }
      return { dom: w.__kmChanges.splice(0), ws: w.__kmWs.splice(0) }
    })
    this.seen.push(...dom)
    this.wire.push(...ws)
    return dom
  }

  /** When a feed message about each change's streamer first reached the page after the change. */
  async wireArrivals(changes: Change[]): Promise<Map<number, number | null>> {
    await this.collect()
    const out = new Map<number, number | null>()
    for (const c of changes) out.set(c.id, this.wire.find((m) => m.at >= c.t0 && m.rows.some(([slug, live]) => slug === c.slug && live === c.live))?.at ?? null)
    return out
  }

  /** When the DOM first showed each change (null when it never did). */
  async arrivals(changes: Change[]): Promise<Map<number, number | null>> {
    await this.collect()
    const out = new Map<number, number | null>()
    for (const c of changes) {
      const hit = this.seen.find((d) => d.slug === c.slug && d.live === c.live && d.at >= c.t0)
      out.set(c.id, hit ? hit.at : null)
    }
    return out
  }

  async close() {
    await this.browser.close().catch(() => {})
  }
}
