import type { PollerConfig } from './config.ts'
import type { UpstreamHealth } from '@kickmon/shared/contracts/poller'
import type { KickClient } from './kick/client.ts'
import type { Monitor } from './detection/monitor.ts'
import type { PollLoop } from './detection/poll-loop.ts'
import type { RequestBudget } from './kick/request-budget.ts'
import type { UpstreamStats } from './upstream-stats.ts'
import type { SubscriptionManager } from './webhooks/subscription-manager.ts'

export type BrowserHealth = UpstreamHealth['browser']

export type HealthSources = {
  config: PollerConfig
  stats: UpstreamStats
  kick: KickClient
  budget: RequestBudget
  loop: PollLoop
  monitor: Monitor
  subscriptions: SubscriptionManager | null
  /** The browser fallback reports itself here once it is wired in. */
  browser?: () => BrowserHealth
}

/** poller.health.report: how reading Kick is going, from every source. */
export function healthReport(s: HealthSources): UpstreamHealth {
  const lag = s.stats.lagPercentiles()
  const w = s.stats.webhooks
  const round = (x: number) => Math.round(x * 10) / 10
  return {
    requests: s.stats.requestCounts(),
    rate_limited_total: s.stats.rateLimited,
    breakers: [...s.kick.breakers.values()]
      .map((b) => ({ endpoint: b.name, state: b.state, retry_in_s: round(b.retryInMs / 1000) }))
      .sort((a, b) => a.endpoint.localeCompare(b.endpoint)),
    budget: { requests_per_s: s.budget.rate, waiting: s.budget.waiting, paused_for_s: round(s.budget.pausedForS) },
    poll: {
      interval_s: s.config.POLL_INTERVAL_S, cycles: s.loop.cycles, last_cycle_ms: Math.round(s.loop.lastCycleMs),
      streamers: s.monitor.size, resolved: s.monitor.resolvedUserIds().length,
      covered_offline: s.loop.coveredOffline, covered_offline_every: s.config.POLL_COVERED_OFFLINE_EVERY,
    },
    sources: { ...s.stats.readings },
    webhooks: {
      enabled: s.config.KICK_WEBHOOKS === 'on',
      received: w.received,
      duplicates: w.duplicates,
      lag_ms_p50: lag.p50,
      lag_ms_p99: lag.p99,
      subscriptions_alive: s.subscriptions?.alive() ?? 0,
      subscriptions_wanted: s.subscriptions?.wantedCount() ?? 0,
      subscriptions_dropped: s.subscriptions?.dropped ?? 0,
      subscriptions_check_s: s.subscriptions?.checkPeriodS ?? 0,
      subscriptions_checked_at: s.subscriptions?.checkedAt ? new Date(s.subscriptions.checkedAt).toISOString() : null,
    },
    browser: s.browser?.() ?? { enabled: s.config.BROWSER_FALLBACK === 'on', running: false, pages: 0, backoff_s: 0 },
  }
}
