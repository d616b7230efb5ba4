import { expect, test } from 'bun:test'
import { unknownStatus, type StreamerStatus } from '@kickmon/shared/contracts/status'
import { UpstreamHealth } from '@kickmon/shared/contracts/poller'
import { DashQuery, arrange } from './dashboard-view.ts'
import { streamerRow } from './streamer-row.ts'
import { ViewerTrend } from '../live/viewer-trend.ts'
import { systemReport } from './system.ts'

// A streamer who hides the viewer count on Kick: "hidden", never 0, never a trend point.
const at = '2026-12-03T07:00:00.000Z'
const s = (slug: string, viewers: number | null, extra: Partial<StreamerStatus> = {}): StreamerStatus => ({
  ...unknownStatus(slug), live: true, viewers, viewers_hidden: viewers === null, stale: false, checked_at: at, started_at: at, ...extra,
})

test('the dashboard row says "hidden", not 0', () => {
  const row = String(streamerRow(s('shy', null)))
  expect(row).toContain('>hidden<')
  expect(row).not.toMatch(/class="num">0</)
  expect(String(streamerRow(s('open', 1234)))).toContain('>1,234<')
})

test('a hidden count sorts below every shown one among live streamers, above offline ones', () => {
  const list = [s('off', 0, { live: false }), s('shy', null), s('small', 3), s('big', 900)]
  expect(arrange(list, DashQuery.parse({ sort: 'viewers' }))[0]!.rows.map((r) => r.slug)).toEqual(['big', 'small', 'shy', 'off'])
})

test('the viewer trend gets no point from a hidden count', () => {
  const trend = new ViewerTrend()
  trend.record(s('shy', 500, { checked_at: '2026-12-03T07:00:00.000Z' }), 'shy')
  trend.record(s('shy', null, { checked_at: '2026-12-03T07:05:00.000Z' }), 'shy')
  expect(trend.points('shy')).toEqual([500])
})

test('/system says how many subscriptions Kick dropped and the poller re-created, and how often Kick\'s list is read', () => {
  const upstream = UpstreamHealth.parse({
    requests: [], rate_limited_total: 0, breakers: [], budget: { requests_per_s: 15, waiting: 0, paused_for_s: 0 },
    poll: { interval_s: 10, cycles: 1, last_cycle_ms: 10, streamers: 1, resolved: 1 }, sources: { api: 1, webhook: 0, browser: 0 },
    webhooks: {
      enabled: true, received: 0, duplicates: 0, lag_ms_p50: null, lag_ms_p99: null, subscriptions_alive: 2, subscriptions_wanted: 2,
      subscriptions_dropped: 3, subscriptions_check_s: 600, subscriptions_checked_at: at,
    },
    browser: { enabled: false, running: false, pages: 0, backoff_s: 0 },
  })
  const report = (u: UpstreamHealth) => String(systemReport({
    status: 'ok', at, services: [], missing: [], nats: { connected: true, server: 'n', version: '2.9', jetstream: true, rtt_ms: 1 },
    postgres: { ok: true, ms: 1, reported_by: [] }, upstream: u,
  }))
  const page = report(upstream)
  expect(page).toMatch(/<dt>dropped by Kick<\/dt><dd id="subscriptions-dropped" class="bad">3 re-created · Kick&#39;s list checked every 10 min, last <time datetime="2026-12-03T07:00:00.000Z"/)
  // An older poller's report (no such fields) still reads, as none dropped.
  const { subscriptions_dropped: _a, subscriptions_check_s: _b, subscriptions_checked_at: _c, ...old } = upstream.webhooks
  expect(report(UpstreamHealth.parse({ ...upstream, webhooks: old }))).toContain('<dd id="subscriptions-dropped" class="">0 re-created</dd>')
})
