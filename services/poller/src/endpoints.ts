import type { Sql } from '@kickmon/shared/db'
import { AppError } from '@kickmon/shared/errors'
import { PollerApi, type PollerEndpointName, type PollerOutput, type UpstreamHealth } from '@kickmon/shared/poller-contract'
import { endpoint } from '@kickmon/shared/rpc'
import { eventHistory } from './history/events.ts'
import { sessionHistory } from './history/sessions.ts'
import { viewerHistory } from './history/viewers.ts'
import type { Monitor } from './monitor.ts'
import type { StreamerRegistry } from './streamer-registry.ts'

export type EndpointDeps = {
  monitor: Monitor
  registry: StreamerRegistry
  sql: Sql
  /** Pick up an added or removed streamer now rather than at the next cycle. */
  refresh: () => Promise<void>
  health: () => UpstreamHealth
}

/** The poller.* request/reply endpoints (shared/src/poller-contract.ts, docs/nats.md). */
export function pollerEndpoints(deps: EndpointDeps) {
  const { monitor, registry, sql } = deps
  const current = (slug: string) => {
    const s = monitor.get(slug)
    if (!s) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
    return s
  }
  // Input is parsed with the contract's schema; each answer is typed by its output schema.
  type Out<K extends PollerEndpointName> = PollerOutput<K> | Promise<PollerOutput<K>>
  return [
    endpoint({
      ...PollerApi.list,
      handle: ({ slugs }): Out<'list'> => {
        const all = monitor.statuses()
        if (!slugs) return all
        const want = new Set(slugs)
        return all.filter((s) => want.has(s.slug))
      },
    }),
    endpoint({ ...PollerApi.get, handle: ({ slug }): Out<'get'> => current(slug) }),
    endpoint({
      ...PollerApi.profile,
      handle: async ({ slug }): Promise<PollerOutput<'profile'>> => {
        const row = await registry.get(slug)
        if (!row) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
        return {
          status: current(slug), banner_url: row.banner_url, bio: row.bio, followers_count: row.followers_count,
          monitored_since: row.created_at.toISOString(),
        }
      },
    }),
    endpoint({
      ...PollerApi.add,
      handle: async ({ slug }): Promise<PollerOutput<'add'>> => {
        const { created } = await registry.add(slug)
        await deps.refresh()
        return { created, status: current(slug) }
      },
    }),
    endpoint({
      ...PollerApi.remove,
      handle: async ({ slug }): Promise<PollerOutput<'remove'>> => {
        if (!(await registry.remove(slug))) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
        await deps.refresh()
        return { removed: slug }
      },
    }),
    endpoint({ ...PollerApi.events, handle: (q): Out<'events'> => eventHistory(sql, q) }),
    endpoint({ ...PollerApi.viewers, handle: (q): Out<'viewers'> => viewerHistory(sql, q) }),
    endpoint({ ...PollerApi.sessions, handle: (q): Out<'sessions'> => sessionHistory(sql, q) }),
    endpoint({ ...PollerApi.health, handle: (): Out<'health'> => deps.health() }),
  ]
}
