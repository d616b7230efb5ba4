import type { Logger } from '@kickmon/shared/logger'
import { backoffMs } from '../kick/backoff.ts'
import { KickApiError, isSubscriptionCap } from '../kick/errors.ts'
import { LIMITS, type KickClient } from '../kick/client.ts'
import { WakeableLoop } from '../wakeable-loop.ts'
import { WEBHOOK_EVENTS } from './payloads.ts'

export type SubscriptionOptions = {
  /** How often the wanted set is compared with what we hold (cheap, no request unless something differs). */
  syncMs: number
  /** How often Kick's own list is read, to notice subscriptions Kick dropped. */
  auditMs: number
  /** After the cap error (or a broadcaster Kick refused), wait this long before trying again. */
  retryMs: number
  /** At most this many subscription requests a second, so polling keeps most of the budget. */
  requestsPerSecond: number
}

export const SUBSCRIPTION_DEFAULTS: SubscriptionOptions = { syncMs: 5_000, auditMs: 600_000, retryMs: 600_000, requestsPerSecond: 8 }

type Held = Map<string, string[]> // event → subscription ids (more than one is a duplicate to remove)

/**
 * Keeps one `livestream.status.updated` and one `livestream.metadata.updated` subscription
 * per monitored broadcaster, and none for anyone else. Kick's list is the truth: nothing
 * is created before it has been read, and it is read again after any request whose effect
 * is uncertain, so a retry never creates a duplicate (and duplicates found are removed).
 */
export class SubscriptionManager {
  private held = new Map<number, Held>()
  private audited = false
  private nextAudit = 0
  private refused = new Map<number, number>() // broadcaster → retry after (ms)
  private capUntil = 0
  private lastRequest = 0
  private failures = 0
  private readonly loop = new WakeableLoop(() => this.run())
  /** Why subscribing last failed (the cap, an outage), null when all is well. */
  lastError: string | null = null
  /** Subscriptions Kick dropped (gone from its list since the last check), all re-created by the pass that found them. */
  dropped = 0
  /** When Kick's list was last read. */
  checkedAt: number | null = null

  constructor(
    private readonly kick: KickClient,
    private readonly wanted: () => number[],
    private readonly log: Logger,
    private readonly opts: SubscriptionOptions = SUBSCRIPTION_DEFAULTS,
  ) {}

  private get running() {
    return this.loop.running
  }

  start() {
    this.loop.start()
  }

  async stop() {
    // A request in flight may take up to the client's timeout; do not hold shutdown for it.
    await this.loop.stop(2000)
  }

  /** Look again now (a streamer was added or removed). */
  nudge() {
    this.loop.wake()
  }

  /** Monitored broadcasters × events that have a live subscription. */
  alive(): number {
    let n = 0
    for (const uid of this.wanted()) for (const ids of this.held.get(uid)?.values() ?? []) if (ids.length) n++
    return n
  }

  /** Kick holds both subscriptions for this broadcaster (as last read from its list or created since). */
  covers(userId: number): boolean {
    const byEvent = this.held.get(userId)
    return byEvent !== undefined && WEBHOOK_EVENTS.every((ev) => byEvent.get(ev)?.length)
  }

  /** How often Kick's list is read: a subscription Kick dropped is re-created within this. */
  get checkPeriodS(): number {
    return this.opts.auditMs / 1000
  }

  wantedCount(): number {
    return this.wanted().length * WEBHOOK_EVENTS.length
  }

  private async run() {
    while (this.running) {
      let waitMs = this.opts.syncMs
      try {
        if (!this.audited || Date.now() >= this.nextAudit) await this.audit()
        await this.sync()
        this.failures = 0
      } catch (err) {
        this.audited = false // whatever happened, read Kick's list before creating anything
        this.lastError = (err as Error).message
        // Logged once per outage; passes back off (full jitter, ≤ 5 min) while Kick keeps failing.
        this.log[this.failures ? 'debug' : 'warn']({ err: (err as Error).message }, 'webhook subscriptions: pass failed; trying again later')
        waitMs = Math.max(waitMs, backoffMs(this.failures++, this.opts.syncMs, 300_000))
      }
      if (!this.running) break
      await this.loop.sleep(waitMs)
    }
  }

  /** Replace what we believe with Kick's list (our two events only). */
  private async audit() {
    await this.pace()
    const list = await this.kick.subscriptions()
    const held = new Map<number, Held>()
    for (const s of list) {
      if (!(WEBHOOK_EVENTS as readonly string[]).includes(s.event)) continue
      let byEvent = held.get(s.broadcasterUserId)
      if (!byEvent) held.set(s.broadcasterUserId, (byEvent = new Map()))
      byEvent.set(s.event, [...(byEvent.get(s.event) ?? []), s.id])
    }
    const lost = this.audited ? this.countLost(held) : 0
    if (lost) this.log.warn({ lost }, 'Kick dropped webhook subscriptions; re-creating them')
    this.dropped += lost
    this.checkedAt = Date.now()
    this.held = held
    this.audited = true
    this.nextAudit = Date.now() + this.opts.auditMs
  }

  private countLost(fresh: Map<number, Held>): number {
    let n = 0
    for (const [uid, byEvent] of this.held) for (const [ev, ids] of byEvent) if (ids.length && !fresh.get(uid)?.get(ev)?.length) n++
    return n
  }

  private async sync() {
    const wanted = new Set(this.wanted())
    await this.removeUnwanted(wanted)
    await this.addMissing(wanted)
  }

  private async removeUnwanted(wanted: Set<number>) {
    const drop: string[] = []
    for (const [uid, byEvent] of this.held) {
      for (const [ev, ids] of byEvent) {
        const extra = wanted.has(uid) ? ids.slice(1) : ids
        if (!extra.length) continue
        drop.push(...extra)
        byEvent.set(ev, ids.slice(0, ids.length - extra.length))
      }
      if ([...byEvent.values()].every((ids) => !ids.length)) this.held.delete(uid)
    }
    for (let i = 0; i < drop.length && this.running; i += LIMITS.unsubscribeIds) {
      await this.pace()
      await this.kick.unsubscribe(drop.slice(i, i + LIMITS.unsubscribeIds)) // a failure re-audits, which finds them again
    }
    if (drop.length) this.log.info({ removed: drop.length }, 'webhook subscriptions removed')
  }

  private async addMissing(wanted: Set<number>) {
    const now = Date.now()
    if (now < this.capUntil) return
    let created = 0
    for (const uid of wanted) {
      if (!this.running) break
      const missing = WEBHOOK_EVENTS.filter((ev) => !this.held.get(uid)?.get(ev)?.length)
      if (!missing.length || (this.refused.get(uid) ?? 0) > now) continue
      await this.pace()
      try {
        const results = await this.kick.subscribe(uid, missing)
        let byEvent = this.held.get(uid)
        if (!byEvent) this.held.set(uid, (byEvent = new Map()))
        for (const r of results) if (r.subscriptionId) byEvent.set(r.event, [...(byEvent.get(r.event) ?? []), r.subscriptionId])
        const refused = results.filter((r) => r.error)
        if (refused.length) this.refuse(uid, refused.map((r) => `${r.event}: ${r.error}`).join('; '))
        created += results.length - refused.length
      } catch (err) {
        if (isSubscriptionCap(err)) {
          if (this.capUntil === 0) this.log.warn({ alive: this.alive(), wanted: this.wantedCount() }, 'Kick refused more webhook subscriptions (event subscription limit reached); polling covers the rest, retrying later')
          this.capUntil = Date.now() + this.opts.retryMs
          this.lastError = 'event subscription limit reached'
          return
        }
        if (err instanceof KickApiError && err.kind === 'bad_request') {
          this.refuse(uid, err.message)
          continue
        }
        throw err // uncertain (timeout, 5xx): the next pass re-reads Kick's list first
      }
    }
    if (created) {
      if (this.capUntil) this.log.info('webhook subscriptions possible again')
      this.capUntil = 0
      this.lastError = null
      this.log.info({ created, alive: this.alive(), wanted: this.wantedCount() }, 'webhook subscriptions created')
    }
  }

  private refuse(uid: number, why: string) {
    this.refused.set(uid, Date.now() + this.opts.retryMs)
    this.log.warn({ broadcaster: uid, why }, 'Kick refused a webhook subscription; retrying later')
  }

  /** Spaces this manager's own requests; the shared budget still applies on top. */
  private async pace() {
    const gap = 1000 / this.opts.requestsPerSecond
    const wait = this.lastRequest + gap - Date.now()
    if (wait > 0) await Bun.sleep(wait)
    this.lastRequest = Date.now()
  }
}
