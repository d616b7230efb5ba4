import type { Server } from 'bun'
import type { NatsConnection } from '@nats-io/transport-node'
import { StreamerStatus } from '../../../shared/src/contracts/status.ts'
import type { Sql } from '../../../shared/src/db.ts'
import { subjects } from '../../../shared/src/contracts/names.ts'
import type { KickSim } from '../../../services/kick-sim/src/sim.ts'
import { freePort } from '../../../scripts/infra/ports.ts'
import type { TestEnv } from '../../harness/services.ts'

// Shared by the poller's fault, budget, browser and PostgreSQL-restart tests.

/** `userIds` is kept for live-state polls only (who was polled when). */
export type Hit = { at: number; path: string; status: number; ids: number; userIds?: number[]; retryAfterS?: number }

/**
 * kick-sim behind a front door we control: it can go away and come back on the same
 * port (Kick unreachable), forget cookies (a challenge that never clears), and it keeps
 * the arrival time of every request so budgets can be checked per 1-s window.
 */
export class SimFront {
  hits: Hit[] = []
  stripCookies = false
  private server: Server<unknown> | null = null
  private constructor(
    private readonly sim: KickSim,
    readonly port: number,
  ) {}

  static async start(sim: KickSim): Promise<SimFront> {
    const front = new SimFront(sim, await freePort())
    front.up()
    return front
  }

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  up() {
    this.server ??= Bun.serve({
      port: this.port,
      hostname: '127.0.0.1',
      idleTimeout: 0,
      fetch: async (req) => {
        const at = performance.now()
        const url = new URL(req.url)
        const headers = new Headers(req.headers)
        if (this.stripCookies) headers.delete('cookie')
        const init: RequestInit = { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer() }
        const res = await this.sim.fetch(new Request(req.url, init))
        if (!url.pathname.startsWith('/_sim/')) {
          const ids = url.searchParams.getAll('user_id').length + url.searchParams.getAll('slug').length + url.searchParams.getAll('broadcaster_user_id').length
          const userIds = url.pathname === '/public/v1/users/livestreams' ? url.searchParams.getAll('user_id').map(Number) : undefined
          const retryAfter = res.headers.get('retry-after')
          this.hits.push({ at, path: url.pathname, status: res.status, ids, userIds, retryAfterS: retryAfter ? Number(retryAfter) : undefined })
        }
        return res
      },
    })
  }

  async down() {
    const s = this.server
    this.server = null
    await s?.stop(true)
  }

  count(pred: (h: Hit) => boolean = () => true, since = 0) {
    return this.hits.filter((h) => h.at >= since && pred(h)).length
  }

  /** The most requests that arrived within any window of `windowMs` (sliding). */
  maxInWindow(pred: (h: Hit) => boolean, windowMs: number): number {
    const t = this.hits.filter(pred).map((h) => h.at).sort((a, b) => a - b)
    let best = 0
    for (let i = 0, j = 0; j < t.length; j++) {
      while (t[j]! - t[i]! >= windowMs) i++
      best = Math.max(best, j - i + 1)
    }
    return best
  }
}

export const isLivestreams = (h: Hit) => h.path === '/public/v1/users/livestreams'
export const isApi = (h: Hit) => h.path.startsWith('/public/')
export const isWebsite = (h: Hit) => h.path.startsWith('/api/v2/channels/')

/** Every kick.status message seen by a separate subscriber, in order of arrival. */
export function watchStatuses(nc: NatsConnection) {
  const seen: (StreamerStatus & { receivedAt: number })[] = []
  nc.subscribe(subjects.statusAll, { callback: (_e, m) => void seen.push({ ...StreamerStatus.parse(m.json()), receivedAt: performance.now() }) })
  return {
    seen,
    last: (slug: string) => seen.findLast((s) => s.slug === slug),
  }
}

/** The end of a poller test: the poller stopped, then kick-sim's front taken down, then the environment removed (each if it started). */
export async function stopPollerTest(parts: { poller?: { stop: () => Promise<void> }; front?: SimFront; env?: TestEnv }) {
  await parts.poller?.stop()
  await parts.front?.down()
  await parts.env?.destroy()
}

/** Puts `slugs` on the poller's list as an operator's existing list: not yet resolved to Kick user ids. */
export function listStreamers(sql: Sql, slugs: string[]) {
  return sql`insert into streamers (slug, username) select s, s from unnest(${slugs}::text[]) as s`
}

export type EventRow = { id: string; type: string; slug: string; started_at: string | null; source: string | null }

/** The recorded history, oldest first. */
export async function eventRows(sql: Sql, slug?: string): Promise<EventRow[]> {
  return sql<EventRow[]>`select e.id, e.type, s.slug, coalesce(e.status->>'started_at', e.previous->>'started_at') as started_at, e.status->>'source' as source
    from status_events e join streamers s on s.id = e.streamer_id
    where ${slug ? sql`s.slug = ${slug}` : sql`true`} order by e.at, e.recorded_at`
}

/** Types of a streamer's recorded events, in order ("online,offline"). */
export async function history(sql: Sql, slug: string): Promise<string> {
  return (await eventRows(sql, slug)).map((e) => e.type).join(',')
}

/**
 * The invariant every fault must keep: per streamer and stream start, at most one online
 * and one offline, and never an offline without its online.
 */
export async function historyProblems(sql: Sql): Promise<string[]> {
  const rows = await sql<{ slug: string; key: string; type: string; n: number }[]>`
    select s.slug, coalesce(case when e.type = 'offline' then e.previous->>'started_at' else e.status->>'started_at' end, '?') as key, e.type, count(*)::int as n
    from status_events e join streamers s on s.id = e.streamer_id where e.type in ('online', 'offline')
    group by 1, 2, 3`
  const problems: string[] = []
  const online = new Set(rows.filter((r) => r.type === 'online').map((r) => `${r.slug}|${r.key}`))
  for (const r of rows) {
    if (r.n > 1) problems.push(`${r.slug}: ${r.n} ${r.type} events for the stream started ${r.key}`)
    if (r.type === 'offline' && !online.has(`${r.slug}|${r.key}`)) problems.push(`${r.slug}: offline without online for ${r.key}`)
  }
  return problems
}
