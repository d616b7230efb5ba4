import type { Sql } from '@kickmon/shared/db'
import { AppError } from '@kickmon/shared/errors'
import { PollerApi, type UpstreamHealth } from '@kickmon/shared/poller-contract'
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
  const api = <K extends keyof typeof PollerApi>(k: K): { subject: string; input: (typeof PollerApi)[K]['input'] } => ({
    subject: PollerApi[k].subject,
    input: PollerApi[k].input,
  })
  return [
    endpoint({
      ...api('list'),
      handle: ({ slugs }) => {
        const all = monitor.statuses()
        if (!slugs) return all
        const want = new Set(slugs)
        return all.filter((s) => want.has(s.slug))
      },
    }),
    endpoint({ ...api('get'), handle: ({ slug }) => current(slug) }),
    endpoint({
      ...api('profile'),
      handle: async ({ slug }) => {
        const row = await registry.get(slug)
        if (!row) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
        return {
          status: current(slug), banner_url: row.banner_url, bio: row.bio, followers_count: row.followers_count,
          monitored_since: row.created_at.toISOString(),
        }
      },
    }),
    endpoint({
      ...api('add'),
      handle: async ({ slug }) => {
        const { created } = await registry.add(slug)
        await deps.refresh()
        return { created, status: current(slug) }
      },
    }),
    endpoint({
      ...api('remove'),
      handle: async ({ slug }) => {
        if (!(await registry.remove(slug))) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
        await deps.refresh()
        return { removed: slug }
      },
    }),
    endpoint({ ...api('events'), handle: (q) => eventHistory(sql, q) }),
    endpoint({ ...api('viewers'), handle: (q) => viewerHistory(sql, q) }),
    endpoint({ ...api('sessions'), handle: (q) => sessionHistory(sql, q) }),
    endpoint({ ...api('health'), handle: () => deps.health() }),
  ]
}
