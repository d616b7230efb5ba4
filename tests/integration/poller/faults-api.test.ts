import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { FaultSettings } from '../../../services/kick-sim/src/faults.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import { history, historyProblems, isApi, listStreamers, SimFront, stopPollerTest, watchStatuses } from './faults-kit.ts'
import type { InProcessPoller as Poller } from './poller-kit.ts'

// Every fault kick-sim can throw at the official API, one after another, each while real
// streams start, change and end: the final state and the recorded history must come out
// right (one online and one offline per stream), and the poller must stay within its manners.

const BUDGET = 15

describe('poller under Kick API faults (kick-sim, real PostgreSQL and NATS)', () => {
  let env: TestEnv
  let front: SimFront
  let poller: Poller
  let statuses: ReturnType<typeof watchStatuses>
  let spare: string[]

  beforeAll(async () => {
    env = await testEnv({ channels: 30 })
    front = await SimFront.start(env.sim)
    const slugs = env.sim.world.list().map((c) => c.slug)
    spare = env.sim.world.list().filter((c) => !c.live).map((c) => c.slug)
    await listStreamers(env.db.sql, slugs)
    const config = env.config({ KICK_API_URL: front.url, KICK_AUTH_URL: front.url, KICK_WEB_URL: front.url, KICK_WEBHOOKS: 'off' })
    poller = await inProcess('poller', config, (ctx) => startPoller(ctx, { requestsPerSecond: BUDGET }))
    statuses = watchStatuses(poller.client)
    await eventually(() => slugs.every((s) => statuses.last(s) && !statuses.last(s)!.stale), 20_000, 'every streamer read once')
  }, 60_000)
  afterAll(() => stopPollerTest({ poller, front, env }))

  /** One whole stream of a so-far offline channel while `faults` are on. */
  async function streamUnder(faults: FaultSettings, timeoutMs = 30_000): Promise<string> {
    const slug = spare.shift()!
    const last = () => statuses.last(slug)
    env.sim.faults.set(faults)
    env.sim.world.update(slug, { live: true, viewers: 300, title: 'under fire' })
    await eventually(() => last()?.live, timeoutMs, `${slug} to go live`)
    env.sim.world.update(slug, { viewers: 450 })
    await eventually(() => last()?.viewers === 450, timeoutMs, `${slug} at 450 viewers`)
    env.sim.world.update(slug, { live: false })
    await eventually(() => last()?.live === false, timeoutMs, `${slug} to go offline`)
    env.sim.faults.set({})
    await eventually(async () => (await history(env.db.sql, slug)) === 'online,offline', 10_000, `${slug}: online,offline recorded`)
    await eventually(() => last() && !last()!.stale, 20_000, `${slug} fresh again`)
    return slug
  }

  test('429 storm with Retry-After: honoured every time, never over the budget', async () => {
    const t0 = performance.now()
    await streamUnder({ rateLimit: { rps: 0.5, burst: 1, retryAfter: true } })
    const hits = front.hits.filter((h) => isApi(h) && h.at >= t0)
    const limited = hits.filter((h) => h.status === 429)
    expect(limited.length).toBeGreaterThan(0)
    for (const r of limited) {
      // Nothing sent after a 429 until its Retry-After has passed (100 ms for arrival jitter;
      // requests already on the wire when the 429 came back are not "sent after").
      const early = hits.filter((h) => h.at > r.at + 100 && h.at < r.at + r.retryAfterS! * 1000 - 100)
      expect(early).toEqual([])
    }
    expect(front.maxInWindow((h) => isApi(h) && h.at >= t0, 800)).toBeLessThanOrEqual(BUDGET)
  }, 60_000)

  test('429 without Retry-After: the poller pauses on its own (5 s)', async () => {
    const t0 = performance.now()
    await streamUnder({ rateLimit: { rps: 0.5, burst: 1 } }, 45_000)
    const hits = front.hits.filter((h) => isApi(h) && h.at >= t0)
    const limited = hits.filter((h) => h.status === 429)
    expect(limited.length).toBeGreaterThan(0)
    for (const r of limited) expect(hits.filter((h) => h.at > r.at + 100 && h.at < r.at + 4900)).toEqual([])
  }, 90_000)

  test('5xx errors (half of all requests)', async () => {
    await streamUnder({ errorRate: 0.5 })
    expect(env.sim.counters.faults.errors).toBeGreaterThan(0)
  }, 60_000)

  test('connection resets (half of all requests)', async () => {
    await streamUnder({ resetRate: 0.5 })
    expect(env.sim.counters.faults.resets).toBeGreaterThan(0)
  }, 60_000)

  test('requests that hang until our 10 s timeout', async () => {
    await streamUnder({ hangRate: 0.2, hangMs: 60_000 }, 45_000)
    expect(env.sim.counters.faults.hangs).toBeGreaterThan(0)
  }, 120_000)

  test('slow answers (latency up to 1 s)', async () => {
    await streamUnder({ latencyMs: 300, latencyJitterMs: 700 })
  }, 60_000)

  test('the app token expires mid-run: one renewal, the failed calls retried, no gap', async () => {
    const renewals = () => env.sim.counters.count('POST /oauth/token', 200)
    const unauthorized = () => env.sim.counters.snapshot().requests['GET /public/v1/users/livestreams']?.['401'] ?? 0
    const before = { renewals: renewals(), unauthorized: unauthorized(), failed: 0 }
    const slug = spare.shift()!
    env.sim.world.update(slug, { live: true, viewers: 10 })
    await eventually(() => statuses.last(slug)?.live, 10_000, 'live')
    const from = statuses.seen.length
    expect(env.sim.tokens.expireAll()).toBeGreaterThan(0)
    env.sim.world.update(slug, { viewers: 20 })
    await eventually(() => statuses.last(slug)?.viewers === 20, 10_000, 'the next reading after expiry')
    expect(unauthorized()).toBeGreaterThan(before.unauthorized) // Kick said 401...
    expect(renewals()).toBe(before.renewals + 1) // ...the token was renewed once, however many calls saw it
    expect(statuses.seen.slice(from).some((s) => s.stale)).toBe(false) // and the retry left no gap
    env.sim.world.update(slug, { live: false })
    await eventually(async () => (await history(env.db.sql, slug)) === 'online,offline', 10_000, 'online,offline recorded')
  }, 60_000)

  test('kick-sim unreachable, then back: stale with the last known state, then right again', async () => {
    const live = spare.shift()!
    const ending = spare.shift()!
    for (const s of [live, ending]) env.sim.world.update(s, { live: true, viewers: 900 })
    await eventually(() => statuses.last(live)?.live && statuses.last(ending)?.live, 10_000, 'both live')
    await front.down()
    const downAt = performance.now()
    // Never a made-up "offline": stale, still live, with its age.
    await eventually(() => statuses.last(live)?.stale, 15_000, 'stale while unreachable')
    expect(statuses.last(live)).toMatchObject({ live: true, viewers: 900, stale: true })
    env.sim.world.update(ending, { live: false }) // ends while we cannot see it
    await Bun.sleep(Math.max(0, 6000 - (performance.now() - downAt)))
    front.up()
    await eventually(() => statuses.last(live)?.stale === false && statuses.last(live)?.live, 70_000, 'fresh and live after the outage')
    await eventually(() => statuses.last(ending)?.live === false, 20_000, 'the stream that ended meanwhile to be offline')
    await eventually(async () => (await history(env.db.sql, ending)) === 'online,offline', 10_000, 'online,offline for the ended stream')
    expect(await history(env.db.sql, live)).toBe('online')
  }, 120_000)

  test('after all of it: one online and one offline per stream, for every streamer', async () => {
    expect(await historyProblems(env.db.sql)).toEqual([])
    // Every live channel kick-sim knows is live in our status, and every offline one offline.
    for (const c of env.sim.world.list()) expect(`${c.slug}:${statuses.last(c.slug)?.live}`).toBe(`${c.slug}:${c.live}`)
  })
})
