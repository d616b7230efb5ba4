import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { eventually } from '../../harness/services.ts'
import { webhookEnv, type WebhookEnv } from './webhooks-harness.ts'

// With polling slowed to once every 30 s, kick-sim's signed deliveries through the gateway
// are what moves a streamer online, through title and category changes, and offline.
describe('the webhook path drives status on its own (POLL_INTERVAL_S=30)', () => {
  let w: WebhookEnv
  let slug: string

  beforeAll(async () => {
    w = await webhookEnv({ config: { POLL_INTERVAL_S: '30', OFFLINE_GRACE_S: '30' } })
    slug = w.sim.world.list()[0]!.slug
    w.sim.world.update(slug, { live: false, title: 'before', category: 'Just Chatting' })
    await w.add(slug)
  })
  afterAll(async () => {
    await w?.destroy()
  })

  test('going live is published with source webhook, its start time, and viewers left for polling', async () => {
    const t0 = performance.now()
    const view = w.sim.world.update(slug, { live: true })
    const live = await eventually(() => w.seen.find((s) => s.slug === slug && s.live), 10_000, 'live')
    console.log(`kick-sim change → kick.status live via webhook: ${(performance.now() - t0).toFixed(1)} ms`)
    // Kick's webhook times have whole seconds.
    const startedAt = new Date(Math.floor(Date.parse(view.started_at!) / 1000) * 1000).toISOString()
    expect(live).toMatchObject({ source: 'webhook', started_at: startedAt, viewers: 0, stale: false })
    expect(live.username).toBe(view.username)
  })

  test('title and category changes arrive as metadata deliveries and become events', async () => {
    w.sim.world.update(slug, { title: 'after' })
    await eventually(() => w.last(slug)?.title === 'after', 10_000, 'new title')
    w.sim.world.update(slug, { category: 'Slots & Casino' })
    const s = await eventually(() => (w.last(slug)?.category?.name === 'Slots & Casino' ? w.last(slug) : null), 10_000, 'new category')
    expect(s.source).toBe('webhook')
    expect(s.live).toBe(true)
  })

  test('a stream ending goes offline at once, without waiting out the 30 s grace window', async () => {
    w.sim.world.update(slug, { live: false })
    const off = await eventually(() => (w.last(slug)?.live === false ? w.last(slug) : null), 10_000, 'offline')
    expect(off.source).toBe('webhook')
    await eventually(async () => (await w.recorded(slug)).length === 4, 10_000, 'four events recorded')
    expect(await w.recorded(slug)).toEqual(['online', 'title', 'category', 'offline'])
    const [session] = await w.sql`select ss.ended_at, ss.title, ss.category_name from stream_sessions ss join streamers s on s.id = ss.streamer_id where s.slug = ${slug}`
    expect(session!.ended_at).not.toBeNull()
    expect(session).toMatchObject({ title: 'after', category_name: 'Slots & Casino' })
  })

  test('a repeat with the same message id is dropped by JetStream; a copy under a new id changes nothing', async () => {
    // A new stream: Kick's start times have whole seconds, so start it in another second than the first.
    await Bun.sleep(1100)
    w.sim.faults.set({ webhook: { duplicateRate: 1, duplicateNewIdRate: 1 } })
    const before = await w.webhookMessages()
    const sent = w.sim.counters.webhooks.delivered
    w.sim.world.update(slug, { live: true })
    await eventually(() => w.last(slug)?.live, 10_000, 'live again')
    await eventually(() => w.sim.counters.webhooks.delivered === sent + 3, 5000, 'three deliveries')
    w.sim.world.update(slug, { live: false })
    await eventually(() => w.last(slug)?.live === false, 10_000, 'offline again')
    await eventually(() => w.sim.counters.webhooks.delivered === sent + 6, 5000, 'six deliveries')
    w.sim.faults.clear()
    // Two status changes, each delivered three times: the same-id copy never reached the stream.
    expect(await w.webhookMessages()).toBe(before + 4)
    await eventually(async () => (await w.recorded(slug)).length === 6, 10_000, 'second stream recorded')
    await Bun.sleep(300)
    expect(await w.recorded(slug)).toEqual(['online', 'title', 'category', 'offline', 'online', 'offline'])
  })

  test('the health report counts the deliveries, their lag and the readings per source', async () => {
    const h = await request(w.nc, PollerApi.health.subject, {}, PollerApi.health.output)
    expect(h.webhooks.enabled).toBe(true)
    expect(h.webhooks.received).toBeGreaterThanOrEqual(8)
    expect(h.webhooks.lag_ms_p50).not.toBeNull()
    expect(h.webhooks.lag_ms_p99!).toBeGreaterThanOrEqual(h.webhooks.lag_ms_p50!)
    expect(h.webhooks).toMatchObject({ subscriptions_alive: 2, subscriptions_wanted: 2 })
    expect(h.sources.webhook).toBeGreaterThanOrEqual(8)
    expect(h.requests.find((r) => r.endpoint === 'POST /public/v1/events/subscriptions' && r.outcome === 'ok')?.count).toBe(1)
    const metrics = await (await w.poller.ctx.health.handle('/metrics'))!.text()
    expect(metrics).toMatch(/readings_total\{[^}]*source="webhook"[^}]*\} \d+/)
    expect(metrics).toMatch(/webhook_lag_seconds_count\{[^}]*\} \d+/)
  })
})
