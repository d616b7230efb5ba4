import type { Sql } from '@kickmon/shared/db'
import { AppError } from '@kickmon/shared/errors'
import { PollerApi, type PollerEndpointName, type PollerOutput, type UpstreamHealth } from '@kickmon/shared/contracts/poller'
import { endpoint } from '@kickmon/shared/rpc'
import { archivedStreamers, purgeStreamer } from './history/archive.ts'
import { eventHistory } from './history/events.ts'
import { profileOf } from './history/profile.ts'
import { sessionHistory } from './history/sessions.ts'
import { viewerHistory } from './history/viewers.ts'
import type { ClusterView } from './membership/cluster.ts'
import { statusFromRow, type Monitor } from './detection/monitor.ts'
import type { StreamerRegistry } from './channels/streamer-registry.ts'

export type EndpointDeps = {
  monitor: Monitor
  registry: StreamerRegistry
  sql: Sql
  /** Pick up an added or removed streamer now rather than at the next cycle. */
  refresh: () => Promise<void>
  health: () => UpstreamHealth
  /** With several pollers (docs/scaling.md): any instance answers, also for streamers a peer owns. */
  cluster?: ClusterView
  /** Announce a removal nobody owning the streamer answered for (its owner died a moment ago). */
  removed?: (slug: string) => void
}

/** The poller.* request/reply endpoints (shared/src/contracts/poller.ts, docs/nats.md). */
export function pollerEndpoints(deps: EndpointDeps) {
  const { monitor, registry, sql, cluster } = deps
  const alone = () => !cluster || cluster.alone()
  const current = async (slug: string) => {
    const s = monitor.get(slug) ?? (alone() ? null : await cluster!.status(slug))
    if (!s) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
    return s
  }
  // Input is parsed with the contract's schema; each answer is typed by its output schema.
  type Out<K extends PollerEndpointName> = PollerOutput<K> | Promise<PollerOutput<K>>
  return [
    endpoint({
      ...PollerApi.list,
      handle: ({ slugs }): Out<'list'> => {
        const all = alone() ? monitor.statuses() : cluster!.all()
        if (!slugs) return all
        const want = new Set(slugs)
        return all.filter((s) => want.has(s.slug))
      },
    }),
    endpoint({ ...PollerApi.get, handle: ({ slug }): Out<'get'> => current(slug) }),
    endpoint({
      ...PollerApi.profile,
      handle: async ({ slug }): Promise<PollerOutput<'profile'>> => {
        // An archived streamer still has a profile (admins browse its history); its status is the last known one.
        const row = await registry.getAny(slug)
        if (!row) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
        return { status: row.archived_at ? statusFromRow(row) : await current(slug), ...profileOf(row) }
      },
    }),
    endpoint({
      ...PollerApi.add,
      handle: async ({ slug }): Promise<PollerOutput<'add'>> => {
        const { created, resumed, row } = await registry.add(slug)
        if (alone()) {
          await deps.refresh()
          return { created, resumed, status: await current(slug) }
        }
        // The owner picks it up now and answers with what it knows (resolved, maybe live).
        const answer = await cluster!.announce(slug)
        return { created, resumed, status: answer?.status ?? monitor.get(slug) ?? statusFromRow(row) }
      },
    }),
    endpoint({
      ...PollerApi.remove,
      handle: async ({ slug }): Promise<PollerOutput<'remove'>> => {
        const archivedAt = await registry.remove(slug)
        if (!archivedAt) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
        if (alone()) await deps.refresh()
        else if (!(await cluster!.announce(slug))) deps.removed?.(slug)
        return { removed: slug, archived_at: archivedAt.toISOString() }
      },
    }),
    endpoint({ ...PollerApi.archived, handle: (): Out<'archived'> => archivedStreamers(sql) }),
    endpoint({ ...PollerApi.purge, handle: ({ slug }): Out<'purge'> => purgeStreamer(sql, slug) }),
    endpoint({ ...PollerApi.events, handle: (q): Out<'events'> => eventHistory(sql, q) }),
    endpoint({ ...PollerApi.viewers, handle: (q): Out<'viewers'> => viewerHistory(sql, q) }),
    endpoint({ ...PollerApi.sessions, handle: (q): Out<'sessions'> => sessionHistory(sql, q) }),
    endpoint({ ...PollerApi.health, handle: (): Out<'health'> => deps.health() }),
  ]
}
