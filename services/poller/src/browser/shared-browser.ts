import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { Logger } from '@kickmon/shared/logger'

// Debian's Chromium as any visitor runs it: its own user agent, JavaScript on, no stealth
// patches. The flags only switch off what a server has no use for (GPU, QUIC, sync,
// background updates) and /dev/shm, which is small in containers.
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
]

export type SharedBrowserOptions = {
  executablePath: string
  /** Close Chromium after this long without a visit (it costs ≥ 200 MB while open). */
  idleCloseMs?: number
  /** Replace the page after this many visits, so nothing accumulates in it. */
  pageUses?: number
}

/**
 * One Chromium for the whole poller, started on first use and closed when idle. Visits
 * are serialised through one page in one context, so cookies (a passed challenge's
 * `cf_clearance`) carry over from visit to visit as they would for a person.
 */
export class SharedBrowser {
  private browser: Browser | null = null
  private context: BrowserContext | null = null
  private page: Page | null = null
  private uses = 0
  private launching: Promise<void> | null = null
  private idleTimer: Timer | null = null
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false
  launches = 0

  constructor(
    private readonly opts: SharedBrowserOptions,
    private readonly log: Logger,
  ) {}

  get running(): boolean {
    return this.browser !== null
  }

  /** Runs `fn` with the page, one caller at a time. */
  withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.closed) throw new Error('the browser fallback is stopped')
      this.cancelIdle()
      try {
        return await fn(await this.pageForVisit())
      } finally {
        this.armIdle()
      }
    })
    this.queue = run.catch(() => {})
    return run
  }

  async close() {
    this.closed = true
    this.cancelIdle()
    await this.queue
    await this.shutdown('stopping')
  }

  private async pageForVisit(): Promise<Page> {
    if (!this.browser?.isConnected()) {
      this.launching ??= this.launch().finally(() => (this.launching = null))
      await this.launching
    }
    if (this.page && (this.page.isClosed() || this.uses >= (this.opts.pageUses ?? 100))) {
      await this.page.close().catch(() => {})
      this.page = null
    }
    if (!this.page) {
      this.page = await this.context!.newPage()
      this.uses = 0
    }
    this.uses++
    return this.page
  }

  private async launch() {
    await this.shutdown('relaunching')
    const t0 = performance.now()
    // Loaded here, not at the top: playwright-core alone adds ~90 MB of RSS, which a poller
    // that never needs the browser should not carry.
    const { chromium } = await import('playwright-core')
    const browser = await chromium.launch({ executablePath: this.opts.executablePath, headless: true, args: CHROMIUM_FLAGS })
    browser.on('disconnected', () => {
      if (this.browser === browser) this.browser = this.context = this.page = null
    })
    this.browser = browser
    this.context = await browser.newContext()
    this.launches++
    this.log.info({ ms: Math.round(performance.now() - t0), version: browser.version() }, 'Chromium started for the browser fallback')
  }

  private armIdle() {
    this.cancelIdle()
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      // Through the queue, so a visit that starts meanwhile keeps the browser.
      this.queue = this.queue.then(() => (this.idleTimer === null ? this.shutdown('idle') : undefined)).catch(() => {})
    }, this.opts.idleCloseMs ?? 120_000)
  }

  private cancelIdle() {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }

  private async shutdown(why: string) {
    const b = this.browser
    this.browser = this.context = this.page = null
    if (!b) return
    await b.close().catch(() => {})
    this.log.info({ why }, 'Chromium closed')
  }
}
