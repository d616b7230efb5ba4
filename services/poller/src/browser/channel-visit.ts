import type { Page, Response as PageResponse, Route } from 'playwright-core'
import { judgePage, type PageVerdict } from './website-channel.ts'

export type VisitOptions = {
  /** How long a challenge page may take to resolve by itself before we call it a block. */
  challengeTimeoutMs?: number
  navigationTimeoutMs?: number
}

// Documents one visit may load: the page, and the one reload a passed challenge does.
const MAX_DOCUMENTS = 2

/**
 * Opens kick.com's channel JSON in the page the way a visitor's browser would and waits
 * until it shows JSON, a block, or nothing useful. A Cloudflare JS challenge runs its own
 * script and reloads once; if it is still there after `challengeTimeoutMs`, or wants a
 * second reload, the visit ends as blocked (we never try to solve it).
 */
export async function visitChannel(page: Page, webUrl: string, slug: string, opts: VisitOptions = {}): Promise<PageVerdict> {
  const url = new URL(`/api/v2/channels/${encodeURIComponent(slug)}`, webUrl).toString()
  let documents = 0
  let status: number | null = null
  const route = (r: Route) => {
    const req = r.request()
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      if (++documents > MAX_DOCUMENTS) return r.abort('blockedbyclient')
      return r.continue()
    }
    // Nothing visual is needed to read a JSON document.
    if (['image', 'media', 'font', 'stylesheet'].includes(req.resourceType())) return r.abort('blockedbyclient')
    return r.continue()
  }
  const onResponse = (res: PageResponse) => {
    if (res.request().isNavigationRequest() && res.request().frame() === page.mainFrame()) status = res.status()
  }
  await page.route('**/*', route)
  page.on('response', onResponse)
  try {
    const first = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: opts.navigationTimeoutMs ?? 20_000 })
    status = first?.status() ?? status
    const deadline = Date.now() + (opts.challengeTimeoutMs ?? 8_000)
    for (;;) {
      const seen = await page
        .evaluate(() => ({ title: document.title, text: (document.querySelector('pre') ?? document.body)?.innerText ?? '' }))
        .catch(() => null) // the page is navigating (the challenge's reload)
      if (seen) {
        const verdict = judgePage({ status, ...seen })
        if (verdict.kind !== 'pending') return verdict
      }
      if (documents > MAX_DOCUMENTS || Date.now() > deadline) return { kind: 'blocked', reason: 'challenge', status }
      await Bun.sleep(150)
    }
  } catch (e) {
    return { kind: 'error', message: (e as Error).message.split('\n')[0] ?? 'navigation failed' }
  } finally {
    page.off('response', onResponse)
    await page.unroute('**/*', route).catch(() => {})
    // Leave the page blank so nothing keeps running (or reloading) between visits.
    await page.goto('about:blank').catch(() => {})
  }
}
