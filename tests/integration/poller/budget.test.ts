import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startPoller, type PollerOptions } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import { natsEnv, testNatsAuth } from '../../harness/nats-auth.ts'
import { isApi, isLivestreams, listStreamers, SimFront, stopPollerTest } from './faults-kit.ts'
import type { InProcessPoller } from './poller-kit.ts'

// 10,000 streamers against kick-sim: slugs resolved 25 a call, live state 100 ids a call,
// and one global budget that no 1-s window ever exceeds.
const STREAMERS = 10_000
const BUDGET = 40 // requests per second
const INTERVAL_S = 4 // 100 livestreams calls per 4 s = 25/s, the rest of the budget for resolving

/** The poller on its own thread: see budget-poller-worker.ts. */
async function pollerThread(env: Record<string, string>, options: PollerOptions) {
  const worker = new Worker(new URL('./budget-poller-worker.ts', import.meta.url).href)
  const reply = (type: string) => new Promise<void>((resolve) => worker.addEventListener('message', (e) => e.data?.type === type && resolve()))
  const started = reply('started')
  worker.postMessage({ type: 'start', env, options })
  await started
  return {
    stop: async () => {
      const stopped = reply('stopped')
      worker.postMessage({ type: 'stop' })
      await stopped
      worker.terminate()
    },
  }
}

describe(`request budget at ${STREAMERS.toLocaleString('en')} streamers`, () => {
  let env: TestEnv
  let front: SimFront
  let poller: Awaited<ReturnType<typeof pollerThread>>
  const unresolved = async () => (await env.db.sql`select count(*)::int as n from streamers where kick_user_id is null`)[0]!.n as number

  beforeAll(async () => {
    env = await testEnv({ channels: STREAMERS })
    front = await SimFront.start(env.sim)
    // An operator's existing list, not yet resolved to Kick user ids.
    const slugs = env.sim.world.list().map((c) => c.slug)
    await listStreamers(env.db.sql, slugs)
    poller = await pollerThread({
      DATABASE_URL: env.db.url, NATS_URL: env.nats.url, KICK_API_URL: front.url, KICK_AUTH_URL: front.url, KICK_WEB_URL: front.url,
      KICK_CLIENT_ID: 'kickmon-demo', KICK_CLIENT_SECRET: 'kickmon-demo-secret', KICK_WEBHOOKS: 'off',
      POLL_INTERVAL_S: String(INTERVAL_S), OFFLINE_GRACE_S: '8', POLLER_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...natsEnv('poller'),
      KICKMON_TEST_NATS_KEYS: testNatsAuth().dir, // a worker does not see this thread's env changes
    }, { requestsPerSecond: BUDGET })
  }, 120_000)
  afterAll(() => stopPollerTest({ poller, front, env }))

  test('every slug is resolved once, in batches of ≤ 25, within the budget', async () => {
    await eventually(async () => (await unresolved()) === 0, 60_000, 'every slug resolved')
    const bySlug = front.hits.filter((h) => h.path === '/public/v1/channels' && h.ids > 0)
    expect(Math.max(...bySlug.map((h) => h.ids))).toBeLessThanOrEqual(25)
    // 10,000 / 25 = 400 calls, plus at most a handful repeated after a transient failure.
    expect(bySlug.length).toBeGreaterThanOrEqual(STREAMERS / 25)
    expect(bySlug.length).toBeLessThanOrEqual(STREAMERS / 25 + 5)
    expect(env.sim.counters.faults.stale_items).toBe(0)
  }, 90_000)

  test('live state: each streamer polled once per interval, 100 to a request, spread out', async () => {
    const counted = () => env.sim.counters.count('GET /public/v1/users/livestreams')
    await Bun.sleep(INTERVAL_S * 1000) // let the first full cycle after resolution start
    const t0 = performance.now()
    const before = counted()
    const intervals = 3
    await Bun.sleep(intervals * INTERVAL_S * 1000)
    const used = counted() - before
    const perInterval = STREAMERS / 100
    // kick-sim's counters: about 100 requests per interval for 10,000 streamers (a window
    // of whole intervals catches ±1 % at its edges)...
    expect(used).toBeGreaterThanOrEqual(intervals * perInterval * 0.97)
    expect(used).toBeLessThanOrEqual(intervals * perInterval * 1.03)
    // ...and exactly: every request carries 100 ids and no streamer is polled twice in an interval.
    const polls = front.hits.filter((h) => isLivestreams(h) && h.at >= t0)
    expect(polls.every((h) => h.ids === 100)).toBe(true)
    const last = new Map<number, number>()
    let minGap = Infinity
    let maxGap = 0
    for (const h of polls) {
      for (const id of h.userIds!) {
        const prev = last.get(id)
        if (prev !== undefined) (minGap = Math.min(minGap, h.at - prev)), (maxGap = Math.max(maxGap, h.at - prev))
        last.set(id, h.at)
      }
    }
    expect(last.size).toBe(STREAMERS)
    expect(minGap).toBeGreaterThan(INTERVAL_S * 1000 * 0.85) // 15 % for arrival jitter on a loaded box
    expect(maxGap).toBeLessThan(INTERVAL_S * 1000 + 1000) // every change can be seen within the interval + 1 s
    // Spread evenly over the interval, not in bursts: no second carries much more than its share (25).
    expect(front.maxInWindow((h) => isLivestreams(h) && h.at >= t0, 1000)).toBeLessThanOrEqual(Math.ceil((perInterval / INTERVAL_S) * 1.5))
    expect(env.sim.counters.snapshot().rate_limited).toBe(0)
  }, 60_000)

  test(`no 1-s window, over the whole run, saw more than ${BUDGET} API requests`, () => {
    const api = front.hits.filter(isApi)
    expect(api.length).toBeGreaterThan(STREAMERS / 25 + 3 * (STREAMERS / 100))
    // Arrival times at kick-sim wobble by 100–200 ms on a busy 2-core box (requests sent
    // apart are sometimes handled together), so the window is 800 ms; a burst over the budget
    // (a token bucket's refill on top of a full bucket) shows as up to twice the budget. The
    // exact 1-s guarantee at the point of sending is request-budget.test.ts.
    // The hourly token request goes to id.kick.com, another host, outside the API budget.
    expect(front.maxInWindow(isApi, 800)).toBeLessThanOrEqual(BUDGET)
  })
})

describe('a budget too small for the interval', () => {
  let env: TestEnv
  let poller: InProcessPoller

  beforeAll(async () => {
    env = await testEnv({ channels: 1000 })
    const rows = env.sim.world.list().map((c) => ({ slug: c.slug, username: c.slug, kick_user_id: c.user_id }))
    await env.db.sql`insert into streamers ${env.db.sql(rows)}`
    // 1,000 streamers every second need 10 requests a second; the budget gives 5.
    poller = await inProcess('poller', env.config({ KICK_WEBHOOKS: 'off', POLL_INTERVAL_S: '1', OFFLINE_GRACE_S: '5' }), (ctx) => startPoller(ctx, { requestsPerSecond: 5 }))
  }, 60_000)
  afterAll(() => stopPollerTest({ poller, env }))

  test('skips polls instead of queueing them without end, and still reads everyone', async () => {
    const { budget, loop, monitor } = poller.result
    let maxWaiting = 0
    const t0 = performance.now()
    const before = env.sim.counters.count('GET /public/v1/users/livestreams')
    while (performance.now() - t0 < 8000) {
      maxWaiting = Math.max(maxWaiting, budget.waiting)
      await Bun.sleep(100)
    }
    const perS = (env.sim.counters.count('GET /public/v1/users/livestreams') - before) / ((performance.now() - t0) / 1000)
    expect(perS).toBeLessThanOrEqual(5.5)
    expect(loop.skippedBatches).toBeGreaterThan(0)
    // At most one poll per batch waits (10), plus the odd metadata call; a queue would grow by 5 a second.
    expect(maxWaiting).toBeLessThanOrEqual(15)
    expect(monitor.statuses().filter((s) => s.checked_at === null)).toEqual([])
  }, 30_000)
})
