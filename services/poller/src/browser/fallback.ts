import type { Logger } from '@kickmon/shared/logger'
import { Counter, Gauge, type Registry } from '@kickmon/shared/metrics'
import type { Monitor } from '../detection/monitor.ts'
import type { Reading } from '../detection/readings.ts'
import { WakeableLoop } from '../wakeable-loop.ts'
import type { FallbackMode } from './engagement.ts'
import type { PageGate } from './politeness.ts'
import type { PageVerdict, WebsiteChannel } from './website-channel.ts'

export type FallbackOptions = {
  mode: Exclude<FallbackMode, 'off'>
  /** A streamer is read at most once per interval (POLL_INTERVAL_S). */
  intervalMs: number
  /** In `on-failure` mode: API cycles in a row without a reading before the browser steps in. */
  failCycles?: number
  /** How long to leave a slug alone after kick.com said it does not exist. */
  notFoundPauseMs?: number
}

export type FallbackDeps = {
  monitor: Monitor
  gate: PageGate
  visit: (slug: string) => Promise<PageVerdict>
  log: Logger
  registry?: Registry
  /** Whether Chromium is open right now (for the health report). */
  browserRunning?: () => boolean
  /** Kick's website is the only source with a follower count: handed on to be kept with its time. */
  onFollowers?: (slug: string, followers: number, at: number) => void
}

/**
 * Reads public channel pages in a real browser for the streamers the API cannot serve:
 * all of them without credentials, otherwise those whose API polls failed `failCycles`
 * times in a row. One visit at a time, paced by the PageGate; readings carry
 * `source: 'browser'`. A streamer the API serves again is handed straight back.
 */
export class BrowserFallback {
  private apiFailures = new Map<number, number>() // kick user id → failed API cycles in a row
  private unresolvedSince = new Map<string, number>()
  private lastVisit = new Map<string, number>()
  private skipUntil = new Map<string, number>()
  private readonly loop = new WakeableLoop(() => this.run())
  private readonly pages: Counter<'outcome'> | null
  visits = 0
  readings = 0

  constructor(
    private readonly opts: FallbackOptions,
    private readonly deps: FallbackDeps,
  ) {
    const registers = deps.registry ? [deps.registry] : []
    this.pages = deps.registry ? new Counter({ name: 'poller_browser_visits_total', help: 'Browser fallback page visits by outcome', labelNames: ['outcome'] as const, registers }) : null
    if (deps.registry) {
      new Gauge({ name: 'poller_browser_backoff_seconds', help: 'Seconds the browser fallback still waits after a block', registers, collect() { this.set(deps.gate.backoffMs / 1000) } })
      new Gauge({ name: 'poller_browser_running', help: '1 while Chromium is open', registers, collect() { this.set(deps.browserRunning?.() ? 1 : 0) } })
    }
  }

  get mode() {
    return this.opts.mode
  }

  private get running() {
    return this.loop.running
  }

  start() {
    this.loop.start()
  }

  stop() {
    return this.loop.stop()
  }

  /** The poll loop reports every live-state batch: success hands streamers back to the API. */
  apiResult(userIds: number[], ok: boolean) {
    for (const id of userIds) {
      if (ok) this.apiFailures.delete(id)
      else this.apiFailures.set(id, (this.apiFailures.get(id) ?? 0) + 1)
    }
  }

  /** Slugs the browser is responsible for right now. */
  covered(now = Date.now()): string[] {
    const need = this.opts.failCycles ?? 3
    const out: string[] = []
    const seen = new Set<string>()
    for (const s of this.deps.monitor.statuses()) {
      seen.add(s.slug)
      if ((this.skipUntil.get(s.slug) ?? 0) > now) continue
      if (this.opts.mode === 'only') {
        out.push(s.slug)
      } else if (s.kick_user_id === null) {
        // Never resolved through the API: give it `need` intervals, then look it up ourselves.
        const since = this.unresolvedSince.get(s.slug) ?? now
        this.unresolvedSince.set(s.slug, since)
        if (now - since >= need * this.opts.intervalMs) out.push(s.slug)
      } else {
        this.unresolvedSince.delete(s.slug)
        if ((this.apiFailures.get(s.kick_user_id) ?? 0) >= need) out.push(s.slug)
      }
    }
    for (const m of [this.lastVisit, this.skipUntil, this.unresolvedSince]) for (const slug of m.keys()) if (!seen.has(slug)) m.delete(slug)
    return out
  }

  /** The covered slug visited longest ago, if it is due (once per interval at most). */
  private next(now: number): string | null {
    let best: string | null = null
    let bestAt = Number.POSITIVE_INFINITY
    for (const slug of this.covered(now)) {
      const at = this.lastVisit.get(slug) ?? 0
      if (at < bestAt && now - at >= this.opts.intervalMs) (best = slug), (bestAt = at)
    }
    return best
  }

  private async run() {
    while (this.running) {
      const wait = this.deps.gate.waitMs()
      const slug = wait === 0 ? this.next(Date.now()) : null
      if (!slug || !this.deps.gate.tryStart()) {
        await this.loop.sleep(Math.min(Math.max(wait, 250), 1000))
        continue
      }
      this.lastVisit.set(slug, Date.now())
      await this.visit(slug)
    }
  }

  private async visit(slug: string) {
    this.visits++
    let verdict: PageVerdict
    try {
      verdict = await this.deps.visit(slug)
    } catch (e) {
      verdict = { kind: 'error', message: (e as Error).message }
    }
    const outcome = verdict.kind === 'blocked' ? `blocked_${verdict.reason}` : verdict.kind
    this.pages?.inc({ outcome })
    switch (verdict.kind) {
      case 'channel':
        this.deps.gate.ok()
        this.apply(slug, verdict.channel, Date.now())
        break
      case 'blocked': {
        const pauseMs = this.deps.gate.blocked()
        this.deps.log.warn({ slug, reason: verdict.reason, status: verdict.status, pauseS: Math.round(pauseMs / 1000) }, 'kick.com blocked the browser fallback; backing off')
        break
      }
      case 'not_found':
        this.skipUntil.set(slug, Date.now() + (this.opts.notFoundPauseMs ?? 30 * 60_000))
        this.deps.log.warn({ slug }, 'kick.com has no such channel; not visiting it for a while')
        break
      default:
        this.deps.log.warn({ slug, err: verdict.kind === 'error' ? verdict.message : verdict.kind }, 'browser fallback visit failed')
    }
  }

  private apply(slug: string, c: WebsiteChannel, at: number) {
    const { monitor } = this.deps
    const current = monitor.get(slug)
    if (!current) return // removed meanwhile
    if (current.kick_user_id === null && c.userId !== null) monitor.setUserId(slug, c.userId)
    const reading: Reading = c.live
      ? { kind: 'live', source: 'browser', at, viewers: c.viewers, title: c.title, category: c.category, startedAt: c.startedAt, username: c.username, profilePicture: c.profilePicture }
      : { kind: 'offline', source: 'browser', at }
    if (!c.live && (c.username || c.profilePicture)) monitor.apply(slug, { kind: 'metadata', source: 'browser', at, username: c.username, profilePicture: c.profilePicture })
    monitor.apply(slug, reading)
    if (c.followers !== null) this.deps.onFollowers?.(slug, c.followers, at)
    this.readings++
  }

  /** For the health report. */
  report() {
    return {
      mode: this.opts.mode,
      chromium: this.deps.browserRunning?.() ?? false,
      covered: this.covered().length,
      visits: this.visits,
      readings: this.readings,
      blocks: this.deps.gate.blocks,
      backoff_s: Math.ceil(this.deps.gate.backoffMs / 1000),
    }
  }
}
