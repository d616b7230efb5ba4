import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { eventually } from '../../harness/services.ts'
import { isLivestreams } from './faults-kit.ts'
import { webhookEnv, type WebhookEnv } from './webhooks-harness.ts'

// POLL_INTERVAL_S=1 and POLL_COVERED_OFFLINE_EVERY=3; a delivery counts as recent for 6 s here
// (30 min in production). Who was polled when is counted on kick-sim's side (SimFront).
const EVERY = 3
const ALIVE_MS = 6000

describe(`offline streamers covered by webhooks are polled every ${EVERY}rd interval`, () => {
  let w: WebhookEnv
  let live: string // live, both subscriptions
  let covered: string[] // offline, both subscriptions
  let bare: string // offline, Kick refused its subscriptions (the app's cap)
  let heartbeat: Timer | undefined
  const uid = (slug: string) => w.sim.world.get(slug)!.user_id
  /** When kick-sim was asked about `slug`'s live state since `since`. */
  const pollsOf = (slug: string, since: number) => w.front!.hits.filter((h) => isLivestreams(h) && h.at >= since && h.userIds!.includes(uid(slug))).map((h) => h.at)
  const gaps = (at: number[]) => at.slice(1).map((t, i) => t - at[i]!)
  const loop = () => w.poller.result.loop
  /** A title change of the live streamer every 1.5 s: Kick keeps delivering, so the path is alive. */
  const startHeartbeat = () => {
    let n = 0
    heartbeat = setInterval(() => w.sim.world.update(live, { title: `heartbeat ${n++}` }), 1500)
  }

  beforeAll(async () => {
    w = await webhookEnv({
      sim: { channels: 8, subscriptionCap: 2 * 7 },
      config: { POLL_INTERVAL_S: '1', OFFLINE_GRACE_S: '2', POLL_COVERED_OFFLINE_EVERY: String(EVERY) },
      poller: { webhooks: { syncMs: 200, auditMs: 60_000, requestsPerSecond: 100, aliveMs: ALIVE_MS } },
      front: true,
    })
    const slugs = w.sim.world.list().map((c) => c.slug)
    live = slugs[0]!
    covered = slugs.slice(1, 7)
    bare = slugs[7]!
    // Set before any subscription exists: no delivery has reached the poller yet.
    w.sim.world.update(live, { live: true, viewers: 50 })
    for (const s of [...covered, bare]) w.sim.world.update(s, { live: false })
    for (const s of [live, ...covered]) await w.add(s)
    await w.add(bare, false)
    await eventually(() => w.poller.result.subscriptions?.lastError === 'event subscription limit reached', 10_000, 'the cap refused the last streamer')
    expect(w.sim.subscriptions.list(undefined, uid(bare))).toEqual([])
    await eventually(() => slugs.every((s) => w.last(s) && !w.last(s)!.stale && w.last(s)!.live === (s === live)), 10_000, 'every streamer read')
  }, 60_000)
  afterAll(async () => {
    clearInterval(heartbeat)
    await w?.destroy()
  })

  test('before any delivery has arrived, everyone is polled every interval', async () => {
    const t0 = performance.now()
    await Bun.sleep(3500)
    expect(w.poller.result.webhooks.lastDeliveryAt).toBeNull()
    expect(loop().coveredOffline).toBe(0)
    for (const s of [live, bare, ...covered]) expect([s, pollsOf(s, t0).length >= 3]).toEqual([s, true])
  }, 10_000)

  test('with deliveries flowing, covered offline streamers are asked once every 3 intervals, the live and the unsubscribed one every interval', async () => {
    const seenBefore = w.seen.length
    startHeartbeat()
    await eventually(() => loop().coveredOffline === covered.length, 10_000, 'covered offline streamers polled less often')
    await Bun.sleep(1100) // the cycle planned before is over
    const t0 = performance.now()
    await Bun.sleep(9000)
    for (const s of covered) {
      const at = pollsOf(s, t0)
      expect([s, at.length >= 3 && at.length <= 4]).toEqual([s, true]) // 9 s: 3, or 4 when one falls on each edge
      // Three intervals apart (±0.5 s of timer and arrival jitter), never in two cycles running.
      for (const g of gaps(at)) expect(g).toBeWithin(2500, 3600)
    }
    for (const s of [live, bare]) {
      expect(pollsOf(s, t0).length).toBeGreaterThanOrEqual(8)
      expect(Math.max(...gaps(pollsOf(s, t0)))).toBeLessThan(1700)
    }
    // Read less often, not stale: they turn stale (EVERY - 1) intervals later than others.
    expect(w.seen.slice(seenBefore).filter((s) => covered.includes(s.slug) && s.stale)).toEqual([])
    const h = await request(w.nc, PollerApi.health.subject, {}, PollerApi.health.output)
    expect(h.poll).toMatchObject({ covered_offline: covered.length, covered_offline_every: EVERY })
    expect(await w.poller.ctx.registry.metrics()).toMatch(new RegExp(`\\npoll_covered_offline_streamers(\\{[^}]*\\})? ${covered.length}\\n`))
  }, 30_000)

  test('a covered streamer going live is told by webhook at once, and is polled every interval from then on', async () => {
    const slug = covered[0]!
    const t0 = performance.now()
    w.sim.world.update(slug, { live: true, viewers: 20 })
    const seen = await eventually(() => w.seen.find((s) => s.slug === slug && s.live), 5000, 'live')
    console.log(`covered offline streamer going live → kick.status: ${(performance.now() - t0).toFixed(0)} ms`)
    expect(seen.source).toBe('webhook')
    await eventually(() => loop().coveredOffline === covered.length - 1, 5000, 'one fewer polled less often')
    await Bun.sleep(1100)
    const t1 = performance.now()
    await Bun.sleep(4000)
    expect(pollsOf(slug, t1).length).toBeGreaterThanOrEqual(3)
    expect(Math.max(...gaps(pollsOf(slug, t1)))).toBeLessThan(1700)
    expect(w.last(slug)).toMatchObject({ live: true, viewers: 20 }) // viewers come from polls
  }, 20_000)

  test('a go-live whose delivery Kick loses is found by the safety-net poll within 3 intervals', async () => {
    const slug = covered[1]!
    expect(loop().coveredOffline).toBe(covered.length - 1) // it among them
    w.sim.faults.set({ webhook: { dropRate: 1 } })
    const t0 = performance.now()
    w.sim.world.update(slug, { live: true, viewers: 30 })
    const seen = await eventually(() => w.seen.find((s) => s.slug === slug && s.live), 6000, 'live by poll')
    const ms = performance.now() - t0
    console.log(`covered offline streamer going live, delivery lost → kick.status by poll: ${ms.toFixed(0)} ms`)
    w.sim.faults.clear()
    expect(seen.source).toBe('api')
    expect(ms).toBeLessThan(EVERY * 1000 + 800)
  }, 15_000)

  test('after no delivery for the liveness window, everyone is polled every interval again', async () => {
    clearInterval(heartbeat)
    const seenBefore = w.seen.length
    const last = w.poller.result.webhooks.lastDeliveryAt!
    await eventually(() => loop().coveredOffline === 0, ALIVE_MS + 5000, 'back to polling everyone')
    expect(Date.now() - last).toBeGreaterThanOrEqual(ALIVE_MS)
    await Bun.sleep(1100)
    const t0 = performance.now()
    await Bun.sleep(4000)
    for (const s of [live, bare, ...covered]) {
      expect([s, pollsOf(s, t0).length >= 3]).toEqual([s, true])
      expect(Math.max(...gaps(pollsOf(s, t0)))).toBeLessThan(1700)
    }
    // Back to every interval without a stale flicker on the way.
    expect(w.seen.slice(seenBefore).filter((s) => s.stale)).toEqual([])
  }, 30_000)
})
