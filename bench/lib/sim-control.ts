// kick-sim's control API (docs/kick-sim.md), as the benchmarks and the fault suite use it.

export type ChannelView = {
  slug: string
  username: string
  user_id: number
  live: boolean
  viewers: number
  title: string
  started_at: string | null
  livestream_id: number | null
}

export type SimCounters = {
  since: string
  requests: Record<string, Record<string, number>>
  total_requests: number
  rate_limited: number
  faults: Record<string, number>
  webhooks: Record<string, number>
}

export class SimControl {
  constructor(readonly url: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`kick-sim ${method} ${path}: ${res.status} ${text.slice(0, 300)}`)
    return (text ? JSON.parse(text) : null) as T
  }

  channels(live?: boolean): Promise<ChannelView[]> {
    return this.call('GET', `/_sim/channels${live === undefined ? '' : `?live=${live}`}`)
  }

  patch(slug: string, body: { live?: boolean; viewers?: number; title?: string }): Promise<ChannelView> {
    return this.call('PATCH', `/_sim/channels/${slug}`, body)
  }

  setFaults(faults: Record<string, unknown>): Promise<unknown> {
    return this.call('PUT', '/_sim/faults', faults)
  }

  clearFaults(): Promise<unknown> {
    return this.call('DELETE', '/_sim/faults')
  }

  counters(): Promise<SimCounters> {
    return this.call('GET', '/_sim/counters')
  }

  resetCounters(): Promise<SimCounters> {
    return this.call('DELETE', '/_sim/counters')
  }

  subscriptions(): Promise<{ id: string; broadcaster_user_id: number; event: string }[]> {
    return this.call('GET', '/_sim/subscriptions')
  }
}

/** Requests a route answered, from a counters snapshot (route keys are templates). */
export function requestsTo(c: SimCounters, routePrefix: string): number {
  let n = 0
  for (const [route, byStatus] of Object.entries(c.requests)) if (route.startsWith(routePrefix)) for (const v of Object.values(byStatus)) n += v
  return n
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await fn(items[i]!, i)
      }
    }),
  )
  return out
}
