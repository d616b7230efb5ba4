// What the simulator served, for tests and benchmarks (GET /_sim/counters).

export type WebhookCounters = {
  sent: number
  delivered: number
  failed: number
  dropped: number
  duplicated: number
  delayed: number
  reordered: number
  unsubscribed: number
  skipped_no_url: number
}

export type CountersSnapshot = {
  since: string
  requests: Record<string, Record<string, number>>
  total_requests: number
  rate_limited: number
  faults: { errors: number; resets: number; hangs: number; challenges: number; waf_blocks: number; stale_items: number }
  webhooks: WebhookCounters
}

const emptyWebhooks = (): WebhookCounters => ({
  sent: 0, delivered: 0, failed: 0, dropped: 0, duplicated: 0, delayed: 0, reordered: 0, unsubscribed: 0, skipped_no_url: 0,
})

export class Counters {
  private requests = new Map<string, Map<number, number>>()
  private since = Date.now()
  total = 0
  rateLimited = 0
  faults = { errors: 0, resets: 0, hangs: 0, challenges: 0, waf_blocks: 0, stale_items: 0 }
  webhooks = emptyWebhooks()

  request(route: string, status: number): void {
    this.total++
    let byStatus = this.requests.get(route)
    if (!byStatus) this.requests.set(route, (byStatus = new Map()))
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1)
  }

  /** How many requests a route answered with `status` (tests). */
  count(route: string, status?: number): number {
    const byStatus = this.requests.get(route)
    if (!byStatus) return 0
    if (status !== undefined) return byStatus.get(status) ?? 0
    let n = 0
    for (const v of byStatus.values()) n += v
    return n
  }

  snapshot(): CountersSnapshot {
    const requests: CountersSnapshot['requests'] = {}
    for (const [route, byStatus] of [...this.requests].sort(([a], [b]) => a.localeCompare(b))) {
      requests[route] = Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => [String(s), n]))
    }
    return {
      since: new Date(this.since).toISOString(),
      requests,
      total_requests: this.total,
      rate_limited: this.rateLimited,
      faults: { ...this.faults },
      webhooks: { ...this.webhooks },
    }
  }

  reset(): void {
    this.requests = new Map()
    this.since = Date.now()
    this.total = 0
    this.rateLimited = 0
    this.faults = { errors: 0, resets: 0, hangs: 0, challenges: 0, waf_blocks: 0, stale_items: 0 }
    this.webhooks = emptyWebhooks()
  }
}
