import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import { eventRows, historyProblems, listStreamers, SimFront, stopPollerTest } from './faults-kit.ts'
import type { InProcessPoller } from './poller-kit.ts'

// Kick #321: /public/v1/channels batches above 25 come back with wrong items (live shown
// offline, ended streams shown live, viewer_count 1). kick-sim imitates it; the poller asks
// for at most 25 at a time, so none of it may reach a status or an event.

describe('the >25 batch bug of /public/v1/channels', () => {
  let env: TestEnv
  let front: SimFront
  let poller: InProcessPoller

  beforeAll(async () => {
    env = await testEnv({ channels: 80, faults: { staleBatch: true } })
    front = await SimFront.start(env.sim)
    // Ended streams in their past are what a corrupted item would show as "live".
    for (const c of env.sim.world.list().slice(0, 20)) {
      env.sim.world.update(c.slug, { live: true })
      env.sim.world.update(c.slug, { live: false })
    }
    const slugs = env.sim.world.list().map((c) => c.slug)
    await listStreamers(env.db.sql, slugs)
    const config = env.config({ KICK_API_URL: front.url, KICK_AUTH_URL: front.url, KICK_WEBHOOKS: 'off' })
    // Metadata refresh (/channels by user id) every 2 s so it runs under the fault too.
    poller = await inProcess('poller', config, (ctx) => startPoller(ctx, { metadataIntervalMs: 2000 }))
  }, 60_000)
  afterAll(() => stopPollerTest({ poller, front, env }))

  test('the fault is real: a batch of 50 comes back corrupted', async () => {
    const token = await fetch(`${env.simUrl}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'kickmon-demo', client_secret: 'kickmon-demo-secret' }),
    }).then((r) => r.json() as Promise<{ access_token: string }>)
    const q = env.sim.world.list().slice(0, 50).map((c) => `slug=${c.slug}`).join('&')
    const before = env.sim.counters.faults.stale_items
    await fetch(`${env.simUrl}/public/v1/channels?${q}`, { headers: { authorization: `Bearer ${token.access_token}` } })
    expect(env.sim.counters.faults.stale_items).toBeGreaterThan(before)
    env.sim.counters.faults.stale_items = 0
  })

  test('the poller never asks for more than 25 and nothing wrong reaches its state', async () => {
    const monitor = poller.result.monitor
    await eventually(() => monitor.unresolved().length === 0 && monitor.statuses().every((s) => !s.stale), 20_000, 'every streamer resolved and read')
    await Bun.sleep(4500) // two metadata refresh rounds
    const channelCalls = front.hits.filter((h) => h.path === '/public/v1/channels')
    expect(channelCalls.length).toBeGreaterThanOrEqual(80 / 25 * 2)
    expect(Math.max(...channelCalls.map((h) => h.ids))).toBeLessThanOrEqual(25)
    expect(env.sim.counters.faults.stale_items).toBe(0)
    for (const c of env.sim.world.list()) {
      expect(`${c.slug} ${monitor.get(c.slug)?.live} ${monitor.get(c.slug)?.viewers}`).toBe(`${c.slug} ${c.live} ${c.viewers}`)
    }
    await eventually(async () => (await eventRows(env.db.sql)).length === env.sim.world.list().filter((c) => c.live).length, 10_000, 'one online per live channel')
    const rows = await eventRows(env.db.sql)
    expect(rows.every((r) => r.type === 'online')).toBe(true)
    expect(await historyProblems(env.db.sql)).toEqual([])
  }, 60_000)
})
