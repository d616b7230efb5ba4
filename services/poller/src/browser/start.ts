import type { ServiceContext } from '@kickmon/shared/service'
import type { PollerConfig } from '../config.ts'
import { visitChannel, type VisitOptions } from './channel-visit.ts'
import { fallbackMode } from './engagement.ts'
import { BrowserFallback, type FallbackDeps, type FallbackOptions } from './fallback.ts'
import { PageGate } from './politeness.ts'
import { SharedBrowser } from './shared-browser.ts'

/** Test and benchmark knobs; production uses the defaults (1 page/s, ≥ 60 s back-off). */
export type BrowserFallbackTuning = VisitOptions & Partial<Pick<FallbackOptions, 'failCycles' | 'notFoundPauseMs'>> & {
  blockBackoffMs?: number
  idleCloseMs?: number
}

/** The browser fallback for this config, or null when BROWSER_FALLBACK=off. Call `start()` on it. */
export function createBrowserFallback(
  ctx: Pick<ServiceContext<PollerConfig>, 'config' | 'log' | 'registry'>,
  { monitor, onFollowers }: Pick<FallbackDeps, 'monitor' | 'onFollowers'>,
  tuning: BrowserFallbackTuning = {},
) {
  const mode = fallbackMode(ctx.config)
  if (mode === 'off') return null
  const log = ctx.log.child({ part: 'browser-fallback' })
  const browser = new SharedBrowser({ executablePath: ctx.config.CHROMIUM_PATH, idleCloseMs: tuning.idleCloseMs }, log)
  const gate = new PageGate({ blockBackoffMs: tuning.blockBackoffMs })
  const webUrl = ctx.config.KICK_WEB_URL
  const fallback = new BrowserFallback(
    { mode, intervalMs: ctx.config.POLL_INTERVAL_S * 1000, failCycles: tuning.failCycles, notFoundPauseMs: tuning.notFoundPauseMs },
    {
      monitor, gate, log, registry: ctx.registry, onFollowers,
      visit: (slug) => browser.withPage((page) => visitChannel(page, webUrl, slug, tuning)),
      browserRunning: () => browser.running,
    },
  )
  log.info({ mode, webUrl }, mode === 'only' ? 'no Kick API credentials: reading public channel pages in a browser' : 'browser fallback ready for channels the API keeps failing for')
  return {
    fallback, browser, gate, mode,
    /** The API served these user ids (ok) or failed them: decides what the browser covers. */
    apiResult: (ids: number[], ok: boolean) => fallback.apiResult(ids, ok),
    start: () => fallback.start(),
    /** For poller.health.report. */
    health: () => ({ enabled: true, running: browser.running, pages: fallback.visits, backoff_s: Math.ceil(gate.backoffMs / 1000) }),
    async close() {
      await fallback.stop()
      await browser.close()
    },
  }
}

export type RunningBrowserFallback = NonNullable<ReturnType<typeof createBrowserFallback>>
