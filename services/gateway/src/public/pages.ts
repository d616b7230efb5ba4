import type { NatsConnection } from '@nats-io/transport-node'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { Logger } from '@kickmon/shared/logger'
import type { StatusPage } from '@kickmon/shared/contracts/public'
import { subjects } from '@kickmon/shared/contracts/names'
import type { PollerClient } from '../clients/poller-client.ts'
import type { StatusStore } from '../live/status-store.ts'
import { liveCount, publicPage, publicRow, type LastStream, type RowOptions } from '../views/public-page.ts'
import type { PublicAuthClient } from './auth-client.ts'

/** Everything one page serves, made once per change and handed to every viewer as is. */
export type RenderedPage = {
  page: StatusPage
  html: string
  embed: string
  json: string
  etag: string
  /** What a live feed gets on connect: every row, replacing the page's. */
  snapshot: string
}

export const pageTopic = (slug: string) => `p:${slug}`
const RELOAD_MS = 60_000

/**
 * The public status pages: their definitions (from auth, reloaded on kickmon.auth.pages.changed
 * and every minute in case a message was lost), and their rendered forms. A streamer's change
 * drops the rendered forms of the pages that list it; the next request renders them once, and
 * the live feeds get one fragment per page (one uWS publish to the page's topic, whatever the
 * number of viewers).
 */
export class PublicPages {
  private pages = new Map<string, StatusPage>()
  private byStreamer = new Map<string, Set<string>>()
  private rendered = new Map<string, Promise<RenderedPage>>()
  /** Bumped on every change of a page, so a render that raced a change is not kept. */
  private gen = new Map<string, number>()
  /** Which streamers each page's last snapshot had (a streamer appearing needs a new snapshot). */
  private present = new Map<string, Set<string>>()
  private lastStreams = new Map<string, { live: boolean; value: Promise<LastStream | null> }>()
  private changedStreamers = new Set<string>()
  private flushing = false
  private timer: Timer | null = null
  private stopped = false
  private listeners = new Set<(slug: string, page: StatusPage | null) => void>()
  publish: (topic: string, data: string) => void = () => {}
  /** Renders since start: the bench and tests read it to see the cost does not follow the viewers. */
  renders = 0

  constructor(
    private readonly nc: NatsConnection,
    private readonly auth: PublicAuthClient,
    private readonly statuses: StatusStore,
    private readonly poller: PollerClient,
    private readonly log: Logger,
    private readonly kickUrl: string,
  ) {}

  async start() {
    this.nc.subscribe(subjects.pagesChanged, { callback: (err) => void (err || this.reload()) })
    this.statuses.onChange((s, slug) => this.streamerChanged(s, slug))
    // Auth may start after us: until the first read succeeds, ask again every few seconds.
    if (!(await this.reload())) void this.retry()
    this.timer = setInterval(() => void this.reload(), RELOAD_MS)
  }

  private async retry() {
    for (let delay = 1000; !this.stopped && !(await this.reload()); delay = Math.min(delay * 2, 10_000)) await Bun.sleep(delay)
  }

  stop() {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
  }

  /** A page was created, changed or deleted (`null`): its open feeds follow. */
  onPageChanged(l: (slug: string, page: StatusPage | null) => void) {
    this.listeners.add(l)
  }

  get(slug: string): StatusPage | null {
    return this.pages.get(slug) ?? null
  }

  /** Is the streamer on at least one public page (only those have badges)? */
  isListed(streamer: string): boolean {
    return (this.byStreamer.get(streamer)?.size ?? 0) > 0
  }

  /** Changes so far to a page (a snapshot made across one is made again). */
  generation(slug: string): number {
    return this.gen.get(slug) ?? 0
  }

  /** Viewer counts of a streamer are public only when a page listing it shows them. */
  showsViewers(streamer: string): boolean {
    for (const p of this.byStreamer.get(streamer) ?? []) if (this.pages.get(p)?.show_viewers) return true
    return false
  }

  /**
   * As render, but a page this gateway has not heard of yet is first looked for again (reads are
   * coalesced): a page just created through another gateway, or whose change event is still on
   * its way, answers at once instead of 404.
   */
  async renderFresh(slug: string): Promise<RenderedPage | null> {
    if (!this.pages.has(slug)) await this.reload()
    return this.render(slug)
  }

  /** The page's rendered forms, made at most once per change. */
  render(slug: string): Promise<RenderedPage> | null {
    const page = this.pages.get(slug)
    if (!page) return null
    let r = this.rendered.get(slug)
    if (!r) {
      const gen = this.gen.get(slug) ?? 0
      const made = (r = this.renderPage(page))
      this.rendered.set(slug, made)
      // Not kept when it failed (the poller away) or a change landed while it was made.
      made.then(
        () => (this.gen.get(slug) ?? 0) !== gen && this.rendered.get(slug) === made && this.rendered.delete(slug),
        () => this.rendered.get(slug) === made && this.rendered.delete(slug),
      )
    }
    return r
  }

  /**
   * Re-read every definition; a false return means auth could not be asked (kept as is). One read
   * at a time, and a call made during a read gets a read that starts after it: two reads racing
   * (an admin's create and the change event) could otherwise apply the older answer last.
   */
  reload(): Promise<boolean> {
    if (!this.reading) return (this.reading = this.readAll().finally(() => (this.reading = null)))
    return (this.queued ??= this.reading.then(() => ((this.queued = null), this.reload())))
  }
  private reading: Promise<boolean> | null = null
  private queued: Promise<boolean> | null = null

  private async readAll(): Promise<boolean> {
    let list: StatusPage[]
    try {
      list = (await this.auth.call('publicPages', {})).pages
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot read the public status pages from auth; keeping what we have')
      return false
    }
    const next = new Map(list.map((p) => [p.slug, p]))
    const changed: string[] = []
    for (const [slug, p] of next) if (this.pages.get(slug)?.updated_at !== p.updated_at) changed.push(slug)
    for (const slug of this.pages.keys()) if (!next.has(slug)) changed.push(slug)
    if (!changed.length) return true
    this.pages = next
    this.byStreamer.clear()
    for (const p of next.values()) for (const s of p.streamers) (this.byStreamer.get(s) ?? this.byStreamer.set(s, new Set()).get(s)!).add(p.slug)
    for (const slug of changed) {
      this.invalidate(slug)
      this.present.delete(slug)
      const p = next.get(slug) ?? null
      for (const l of this.listeners) l(slug, p)
      if (p) void this.sendSnapshot(slug)
    }
    return true
  }

  private rowOptions(p: StatusPage): RowOptions {
    return { viewers: p.show_viewers, history: p.show_history, kickUrl: this.kickUrl }
  }

  /** The last finished stream of an offline streamer, asked once per go-offline. */
  lastStream(slug: string, s: StreamerStatus): Promise<LastStream | null> {
    const cur = this.lastStreams.get(slug)
    if (cur && cur.live === s.live) return cur.value
    const value = s.live
      ? Promise.resolve(null)
      : this.poller.call('sessions', { slug, limit: 1 }).then(
          (l) => (l[0] ? { started_at: l[0].started_at, ended_at: l[0].ended_at, duration_s: l[0].duration_s } : null),
          () => {
            this.lastStreams.delete(slug) // ask again next time
            return null
          },
        )
    this.lastStreams.set(slug, { live: s.live, value })
    return value
  }

  /** A page's streamers that the gateway knows, in the page's order. */
  private statusesOf(p: StatusPage): StreamerStatus[] {
    return p.streamers.map((s) => this.statuses.get(s)).filter((s): s is StreamerStatus => !!s)
  }

  async rowsOf(p: StatusPage, list: StreamerStatus[], oob = false): Promise<string[]> {
    const o = this.rowOptions(p)
    const lasts = p.show_history ? await Promise.all(list.map((s) => this.lastStream(s.slug, s))) : []
    return list.map((s, i) => publicRow(s, o, lasts[i], oob))
  }

  private async renderPage(p: StatusPage): Promise<RenderedPage> {
    this.renders++
    const list = this.statusesOf(p)
    const rows = (await this.rowsOf(p, list)).join('')
    const generatedAt = new Date().toISOString()
    const view = { title: p.title, description: p.description, rows, statuses: list, viewers: p.show_viewers, history: p.show_history, generatedAt }
    const lasts = p.show_history ? await Promise.all(list.map((s) => this.lastStream(s.slug, s))) : []
    const json = JSON.stringify({
      page: { slug: p.slug, title: p.title, description: p.description, url: `/p/${p.slug}` },
      generated_at: generatedAt,
      live: list.filter((s) => s.live && !s.stale).length,
      streamers: list.map((s, i) => publicStatus(s, p, lasts[i])),
    })
    const html = publicPage({ ...view, feed: `/p/${p.slug}/live`, links: [{ href: `/p/${p.slug}.json`, label: 'json' }] })
    const embed = publicPage({ ...view, feed: `/p/${p.slug}/live`, embed: true, links: [{ href: `/p/${p.slug}`, label: 'full page' }] })
    this.present.set(p.slug, new Set(list.map((s) => s.slug)))
    return {
      page: p, html, embed, json,
      etag: `"p-${Bun.hash(json).toString(36)}"`,
      snapshot: `<div id="p-rows" hx-swap-oob="innerHTML">${rows}</div>${liveCount(list, true)}`,
    }
  }

  private async sendSnapshot(slug: string) {
    const r = await this.render(slug)?.catch(() => null)
    if (r) this.publish(pageTopic(slug), r.snapshot)
  }

  private invalidate(page: string) {
    this.rendered.delete(page)
    this.gen.set(page, (this.gen.get(page) ?? 0) + 1)
  }

  private streamerChanged(_s: StreamerStatus | null, slug: string) {
    const pages = this.byStreamer.get(slug)
    if (!pages) return
    for (const p of pages) this.invalidate(p)
    this.changedStreamers.add(slug)
    if (!this.flushing) {
      this.flushing = true
      setImmediate(() => void this.flush())
    }
  }

  /** Everything that changed in this turn of the event loop: one fragment per affected page. */
  private async flush() {
    this.flushing = false
    const slugs = [...this.changedStreamers]
    this.changedStreamers.clear()
    const pages = new Set<string>()
    for (const s of slugs) for (const p of this.byStreamer.get(s) ?? []) pages.add(p)
    for (const slug of pages) {
      const p = this.pages.get(slug)
      if (!p) continue
      const before = this.present.get(slug)
      const list = this.statusesOf(p)
      // A streamer that appeared or vanished changes the rows themselves: send them all.
      if (!before || list.length !== before.size || list.some((s) => !before.has(s.slug))) {
        void this.sendSnapshot(slug)
        continue
      }
      try {
        const changed = list.filter((s) => slugs.includes(s.slug))
        this.renders++
        const rows = await this.rowsOf(p, changed, true)
        this.publish(pageTopic(slug), rows.join('') + liveCount(list, true))
      } catch (err) {
        this.log.warn({ err: (err as Error).message, page: slug }, 'could not render a status page update')
      }
    }
  }
}

/** A streamer as the public JSON shows it: what the page shows, nothing more. */
export function publicStatus(s: StreamerStatus, p: Pick<StatusPage, 'show_viewers' | 'show_history'>, last?: LastStream | null) {
  return {
    slug: s.slug,
    name: s.username || s.slug,
    live: s.live,
    stale: s.stale,
    // null while live with the count hidden by the streamer (viewers_hidden), as in StreamerStatus.
    ...(p.show_viewers ? { viewers: s.live ? s.viewers : 0, viewers_hidden: s.live && s.viewers_hidden } : {}),
    title: s.live ? s.title : null,
    category: s.live ? (s.category?.name ?? null) : null,
    started_at: s.live ? s.started_at : null,
    checked_at: s.checked_at,
    ...(p.show_history ? { last_stream: s.live ? null : (last ?? null) } : {}),
  }
}
