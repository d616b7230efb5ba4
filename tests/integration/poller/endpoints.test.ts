import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PollerApi, type PollerEndpointName, type PollerInput, type PollerOutput } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import type { InProcessPoller } from './poller-kit.ts'

// The poller's NATS endpoints answer per their schemas in shared/src/contracts/poller.ts
// (every answer below is parsed with its output schema) and refuse bad input precisely.
// History is seeded straight into PostgreSQL so the figures are known exactly.
describe('poller endpoints', () => {
  let env: TestEnv
  let poller: InProcessPoller
  let slug: string
  const HOUR = 3600_000
  const base = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR // a whole hour, three to four hours ago
  const iso = (ms: number) => new Date(ms).toISOString()

  const call = <K extends PollerEndpointName>(k: K, body: PollerInput<K> | Record<string, unknown>): Promise<PollerOutput<K>> =>
    request(poller.client, PollerApi[k].subject, body, PollerApi[k].output) as Promise<PollerOutput<K>>
  const rejects = async (p: Promise<unknown>, code: string, message?: string | RegExp) =>
    await expect(p).rejects.toMatchObject({ code, ...(message ? { message: expect.stringMatching(message) } : {}) })

  beforeAll(async () => {
    env = await testEnv({ channels: 3 })
    poller = await inProcess('poller', env.config({ POLL_INTERVAL_S: '2', KICK_WEBHOOKS: 'off' }), (ctx) => startPoller(ctx))
    slug = env.sim.world.list()[0]!.slug
    env.sim.world.update(slug, { live: false })
    await call('add', { slug })
    const sql = env.db.sql
    const id = (await sql<{ id: number }[]>`select id from streamers where slug = ${slug}`)[0]!.id
    const status = (await call('get', { slug })) as object
    // Seven events; the title and category changes share one instant.
    const events: [string, string, number][] = [
      ['e1', 'online', base], ['e2', 'title', base + 60_000], ['e3', 'category', base + 60_000],
      ['e4', 'offline', base + 2 * HOUR], ['e5', 'online', base + 2.5 * HOUR], ['e6', 'title', base + 2.6 * HOUR], ['e7', 'offline', base + 2.9 * HOUR],
    ]
    for (const [eid, type, at] of events)
      await sql`insert into status_events (id, streamer_id, type, at, status) values (${eid}, ${id}, ${type}, ${iso(at)}, ${sql.json(status as never)})`
    // A sample every 10 s through the first hour: viewers 0, 1, 2, … 359.
    const samples = Array.from({ length: 360 }, (_, i) => [id, iso(base + i * 10_000), i, 'api'])
    await sql`insert into viewer_samples (streamer_id, at, viewers, source) select v.sid::int, v.at::timestamptz, v.n::int, v.src from (values ${sql(samples as never)}) as v(sid, at, n, src)`
    // A finished two-hour stream averaging 150 viewers, and one live for the last ten minutes.
    await sql`insert into stream_sessions (streamer_id, started_at, ended_at, title, category_name, peak_viewers, peak_at, viewer_seconds)
      values (${id}, ${iso(base)}, ${iso(base + 2 * HOUR)}, 'first', 'Just Chatting', 400, ${iso(base + HOUR)}, ${7200 * 150}),
             (${id}, ${iso(Date.now() - 600_000)}, null, 'second', null, 0, null, 0)`
  })
  afterAll(async () => {
    await poller?.stop()
    await env?.destroy()
  })

  test('list and get answer StreamerStatus; unknown slugs are NOT_FOUND, malformed ones VALIDATION', async () => {
    expect((await call('list', {})).map((s) => s.slug)).toEqual([slug])
    expect(await call('list', { slugs: ['nobody'] })).toEqual([])
    expect((await call('get', { slug: slug.toUpperCase() })).slug).toBe(slug)
    await rejects(call('get', { slug: 'nobody' }), 'NOT_FOUND', 'not monitored')
    await rejects(call('get', { slug: 'not a slug' }), 'VALIDATION', /^slug: /)
    await rejects(call('get', {}), 'VALIDATION', /^slug: /)
  })

  test('profile: the status plus banner, bio and since when it is monitored', async () => {
    const p = await call('profile', { slug })
    expect(p.status.slug).toBe(slug)
    expect(p.banner_url).toStartWith(env.simUrl)
    expect(p.bio).toBe(env.sim.world.bySlug(slug)!.bio || null) // Kick sends "" for no bio
    expect(p.followers_count).toBeNull() // the public API has no follower count
    expect(p.followers_at).toBeNull()
    // /public/v1/channels carries both subscriber counts: recorded when the streamer was added.
    const ch = env.sim.world.bySlug(slug)!
    expect(p).toMatchObject({ active_subscribers_count: ch.activeSubs, active_gifted_subscribers_count: ch.giftedSubs, archived_at: null })
    expect(Date.now() - Date.parse(p.subscribers_at!)).toBeLessThan(60_000)
    expect(Date.now() - Date.parse(p.monitored_since)).toBeLessThan(60_000)
    await rejects(call('profile', { slug: 'nobody' }), 'NOT_FOUND')
  })

  test('events: newest first, paged with before, filtered by type; a shared instant is never split across pages', async () => {
    const all = await call('events', { slug })
    expect(all.map((e) => e.id)).toEqual(['e7', 'e6', 'e5', 'e4', 'e3', 'e2', 'e1'])
    expect(all[0]).toMatchObject({ type: 'offline', slug, at: iso(base + 2.9 * HOUR) })
    const page1 = await call('events', { slug, limit: 5 })
    expect(page1.map((e) => e.id)).toEqual(['e7', 'e6', 'e5', 'e4']) // e3 shares e2's instant: both on the next page
    const page2 = await call('events', { slug, limit: 5, before: page1.at(-1)!.at })
    expect(page2.map((e) => e.id)).toEqual(['e3', 'e2', 'e1'])
    expect((await call('events', { slug, type: 'online' })).map((e) => e.id)).toEqual(['e5', 'e1'])
    await rejects(call('events', { slug, limit: 0 }), 'VALIDATION', /^limit: /)
    await rejects(call('events', { slug, limit: 501 }), 'VALIDATION', /^limit: /)
    await rejects(call('events', { slug, before: 'yesterday' }), 'VALIDATION', /^before: /)
    await rejects(call('events', { slug, type: 'viewers' }), 'VALIDATION', /^type: /)
    await rejects(call('events', { slug: 'nobody' }), 'NOT_FOUND')
  })

  test('viewers: downsampled in SQL, with a step chosen for at most 500 points when none is given', async () => {
    const hour = { slug, from: iso(base), to: iso(base + HOUR) }
    const fine = await call('viewers', hour)
    expect(fine.step_s).toBe(10)
    expect(fine.points).toHaveLength(360)
    expect(fine.points[7]).toEqual({ at: iso(base + 70_000), avg: 7, min: 7, max: 7 })
    const coarse = await call('viewers', { ...hour, step_s: 600 })
    expect(coarse.points).toHaveLength(6)
    expect(coarse.points[1]).toEqual({ at: iso(base + 600_000), avg: 89.5, min: 60, max: 119 })
    const day = await call('viewers', { slug, from: iso(base - 20 * HOUR), to: iso(base + 4 * HOUR) })
    expect(day.step_s).toBe(300)
    expect(day.points).toHaveLength(12)
    expect(day.points.length).toBeLessThanOrEqual(500)
    const year = await call('viewers', { slug, from: iso(base - 365 * 24 * HOUR), to: iso(base + HOUR) })
    expect(Math.ceil((365 * 24 + 1) * 3600 / year.step_s)).toBeLessThanOrEqual(500)
    expect(year.points).toHaveLength(1)
    expect(year.points[0]!.max).toBe(359)
    await rejects(call('viewers', { ...hour, from: hour.to, to: hour.from }), 'VALIDATION', 'from must be earlier than to')
    await rejects(call('viewers', { slug, from: iso(base - 30 * 24 * HOUR), to: iso(base), step_s: 1 }), 'VALIDATION', /more than 10000 points/)
    await rejects(call('viewers', { ...hour, step_s: 0 }), 'VALIDATION', /^step_s: /)
    await rejects(call('viewers', { slug, from: 'then', to: hour.to }), 'VALIDATION', /^from: /)
    await rejects(call('viewers', { ...hour, slug: 'nobody' }), 'NOT_FOUND')
  })

  test('sessions: duration, peak and when, time-weighted average and hours watched, newest first', async () => {
    const [live, done] = await call('sessions', { slug })
    expect(done).toEqual({
      started_at: iso(base), ended_at: iso(base + 2 * HOUR), duration_s: 7200, peak_viewers: 400, peak_at: iso(base + HOUR),
      avg_viewers: 150, hours_watched: 300, title: 'first', category: 'Just Chatting',
    })
    expect(live).toMatchObject({ ended_at: null, title: 'second', avg_viewers: 0, hours_watched: 0 })
    expect(live!.duration_s).toBeWithin(595, 700)
    expect((await call('sessions', { slug, limit: 1 })).map((s) => s.title)).toEqual(['second'])
    expect((await call('sessions', { slug, before: live!.started_at })).map((s) => s.title)).toEqual(['first'])
    await rejects(call('sessions', { slug, limit: -1 }), 'VALIDATION', /^limit: /)
    await rejects(call('sessions', { slug: 'nobody' }), 'NOT_FOUND')
  })

  test('health: requests by endpoint and outcome, breakers, budget, poll figures, sources, webhooks', async () => {
    const h = await eventually(async () => {
      const r = await call('health', {})
      return r.sources.api > 0 && r.poll.cycles > 0 ? r : null
    }, 10_000, 'a poll of the added streamer')
    const channels = h.requests.find((r) => r.endpoint === '/public/v1/channels' && r.outcome === 'ok')
    expect(channels?.count).toBeGreaterThanOrEqual(1)
    expect(h.breakers.find((b) => b.endpoint === '/public/v1/channels')).toEqual({ endpoint: '/public/v1/channels', state: 'closed', retry_in_s: 0 })
    expect(h.budget.requests_per_s).toBe(15)
    expect(h.poll).toMatchObject({ interval_s: 2, streamers: 1, resolved: 1 })
    expect(h.poll.last_cycle_ms).toBeGreaterThan(0)
    expect(h.requests.find((r) => r.endpoint === '/public/v1/users/livestreams')?.outcome).toBe('ok')
    expect(h.sources).toMatchObject({ webhook: 0, browser: 0 })
    expect(h.webhooks).toMatchObject({ enabled: false, received: 0, lag_ms_p50: null, subscriptions_wanted: 0 })
    expect(h.browser.enabled).toBe(false)
    expect(h.rate_limited_total).toBe(0)
  })

  test('a body that is not JSON is a BAD_REQUEST', async () => {
    const msg = await poller.client.request(PollerApi.events.subject, 'not json', { timeout: 2000 })
    expect(msg.headers?.get('Nats-Service-Error-Code')).toBe('400')
    expect(msg.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'request body is not valid JSON' } })
  })
})
