import { z } from 'zod'
import { StreamerStatus } from '@kickmon/shared/contracts'
import { AppError } from '@kickmon/shared/errors'
import { endpoint } from '@kickmon/shared/rpc'
import { endpoints as names } from '@kickmon/shared/subjects'
import { Slug } from '@kickmon/shared/validation'
import type { Monitor } from './monitor.ts'
import type { StreamerRegistry } from './streamer-registry.ts'

export const AddResult = z.object({ created: z.boolean(), status: StreamerStatus })

/** poller.streamers.* request/reply endpoints (docs/nats.md). */
export function streamerEndpoints(deps: { monitor: Monitor; registry: StreamerRegistry; refresh: () => Promise<void> }) {
  const { monitor, registry } = deps
  const bySlug = z.object({ slug: Slug })
  const current = (slug: string) => {
    const s = monitor.get(slug)
    if (!s) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
    return s
  }
  return [
    endpoint({
      subject: names.poller.list,
      input: z.object({ slugs: z.array(Slug).max(20_000).optional() }),
      handle: ({ slugs }) => {
        const all = monitor.statuses()
        if (!slugs) return all
        const want = new Set(slugs)
        return all.filter((s) => want.has(s.slug))
      },
    }),
    endpoint({ subject: names.poller.get, input: bySlug, handle: ({ slug }) => current(slug) }),
    endpoint({
      subject: names.poller.add,
      input: bySlug,
      handle: async ({ slug }) => {
        const { created } = await registry.add(slug)
        await deps.refresh()
        return { created, status: current(slug) }
      },
    }),
    endpoint({
      subject: names.poller.remove,
      input: bySlug,
      handle: async ({ slug }) => {
        if (!(await registry.remove(slug))) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
        await deps.refresh()
        return { removed: slug }
      },
    }),
  ]
}
