import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { z } from 'zod'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import { eventRows, historyProblems, isWebsite, SimFront, stopPollerTest, watchStatuses } from './faults-kit.ts'
import type { InProcessPoller as Poller } from './poller-kit.ts'

const WEBSITE = 'GET /api/v2/channels/:slug'

async function addAll(p: Poller, slugs: string[]) {
  for (const slug of slugs) await request(p.client, PollerApi.add.subject, { slug }, z.unknown(), { timeout: 10_000 })
}

describe('browser fallback without credentials: real Chromium reads kick.com pages (kick-sim)', () => {
  let env: TestEnv
  let poller: Poller
  let statuses: ReturnType<typeof watchStatuses>
  let slugs: string[]

  beforeAll(async () => {
    env = await testEnv({ channels: 4 })
    const [a, b, c] = env.sim.world.list()
    slugs = [a!.slug, b!.slug, c!.slug]
    env.sim.world.update(a!.slug, { live: true, viewers: 1200, title: 'morning show', category: 'Just Chatting' })
    env.sim.world.update(b!.slug, { live: true, viewers: 77, title: 'speedruns', category: 'Slots' })
    env.sim.world.update(c!.slug, { live: false })
    env.sim.faults.set({ challenge: true }) // every visitor without clearance gets the JS challenge
    // No KICK_CLIENT_ID and KICK_API_URL left at Kick's own host: the browser is the only source.
    const config = env.config({ KICK_CLIENT_ID: '', KICK_CLIENT_SECRET: '', KICK_API_URL: '', BROWSER_FALLBACK: 'on', POLL_INTERVAL_S: '2' })
    poller = await inProcess('poller', config, (ctx) => startPoller(ctx, { browser: { blockBackoffMs: 3000, idleCloseMs: 60_000 } }))
    statuses = watchStatuses(poller.client)
    await addAll(poller, slugs)
  })
  afterAll(() => stopPollerTest({ poller, env }))

  test('passes the Cloudflare challenge and publishes source: browser readings, calling no API', async () => {
    const t0 = performance.now()
    expect(poller.result.browser?.mode).toBe('only')
    for (const slug of slugs) await eventually(() => statuses.last(slug)?.source === 'browser' && !statuses.last(slug)?.stale, 30_000, `a browser reading of ${slug}`)
    const [a, b, c] = slugs.map((s) => env.sim.world.get(s)!)
    expect(statuses.last(a!.slug)).toMatchObject({ live: true, viewers: 1200, title: 'morning show', category: { name: 'Just Chatting' }, kick_user_id: a!.user_id, source: 'browser' })
    expect(statuses.last(b!.slug)).toMatchObject({ live: true, viewers: 77, title: 'speedruns', category: { name: 'Slots' }, source: 'browser' })
    expect(statuses.last(c!.slug)).toMatchObject({ live: false, source: 'browser', kick_user_id: c!.user_id })
    // The website's start_time is "YYYY-MM-DD HH:MM:SS" UTC, a second before the stream's creation.
    expect(Math.abs(Date.parse(statuses.last(a!.slug)!.started_at!) - Date.parse(a!.started_at!))).toBeLessThanOrEqual(2000)

    const counters = env.sim.counters
    expect(counters.faults.challenges).toBeGreaterThanOrEqual(1) // the first visit met the challenge, Chromium passed it
    // Channel pages (and the challenge's own script) only: no token request, no /public/ API call.
    expect(Object.keys(counters.snapshot().requests).filter((r) => r.includes('/public/') || r.includes('/oauth/'))).toEqual([])
    // ≤ 1 visit a second; a visit that meets the challenge loads the page twice (its own reload).
    const elapsedS = (performance.now() - t0) / 1000 + 2
    expect(counters.count(WEBSITE)).toBeLessThanOrEqual(Math.ceil(elapsedS) + counters.faults.challenges)

    const online = await eventually(async () => (await eventRows(env.db.sql, a!.slug)).find((e) => e.type === 'online'), 10_000, 'the online event in PostgreSQL')
    expect(online.source).toBe('browser')
    // The health report (the /system page, `kickmon health`) shows the browser at work.
    const health = await request(poller.client, PollerApi.health.subject, {}, PollerApi.health.output)
    expect(health.browser).toMatchObject({ enabled: true, running: true, backoff_s: 0 })
    expect(health.browser.pages).toBeGreaterThanOrEqual(3)
    expect(health.sources.browser).toBeGreaterThanOrEqual(3)
  })

  test("the website's follower count (no other source has one) is kept in PostgreSQL with when it was read", async () => {
    const a = env.sim.world.get(slugs[0]!)!
    const profile = await eventually(async () => {
      const p = await request(poller.client, PollerApi.profile.subject, { slug: a.slug }, PollerApi.profile.output)
      return p.followers_count !== null ? p : null
    }, 30_000, 'a follower count in the profile')
    expect(profile.followers_count).toBe(a.followers)
    expect(Math.abs(Date.now() - Date.parse(profile.followers_at!))).toBeLessThan(60_000)
    const [row] = await env.db.sql<{ followers_count: number; followers_at: Date }[]>`select followers_count, followers_at from streamers where slug = ${a.slug}`
    expect(row).toEqual({ followers_count: a.followers, followers_at: new Date(profile.followers_at!) })
  }, 60_000)

  test('a stream ending is seen by the browser too: one online and one offline', async () => {
    const slug = slugs[0]!
    env.sim.world.update(slug, { live: false })
    await eventually(() => statuses.last(slug)?.live === false, 20_000, 'offline from the browser')
    await eventually(async () => (await eventRows(env.db.sql, slug)).map((e) => e.type).join() === 'online,offline', 10_000, 'online,offline recorded')
    expect(await historyProblems(env.db.sql)).toEqual([])
  })

  test('a WAF block stops every visit for the back-off, then reading resumes', async () => {
    env.sim.faults.set({ waf: true })
    await eventually(() => poller.result.browser!.gate.blocks >= 1, 15_000, 'a WAF block')
    const atBlock = env.sim.counters.count(WEBSITE)
    const blockedAt = performance.now()
    expect(poller.result.browser!.gate.backoffMs).toBeGreaterThan(2500)
    env.sim.faults.set({})
    await Bun.sleep(2500)
    expect(env.sim.counters.count(WEBSITE)).toBe(atBlock) // nothing during the (shortened, 3 s) back-off
    await eventually(() => env.sim.counters.count(WEBSITE) > atBlock, 10_000, 'visits to resume')
    expect(performance.now() - blockedAt).toBeGreaterThanOrEqual(2500)
    expect(env.sim.counters.faults.waf_blocks).toBe(1)
  })
})

describe('browser fallback with credentials: steps in only while the API fails', () => {
  let env: TestEnv
  let poller: Poller
  let statuses: ReturnType<typeof watchStatuses>
  let front: SimFront
  let slug: string

  beforeAll(async () => {
    env = await testEnv({ channels: 3 })
    slug = env.sim.world.list()[0]!.slug
    env.sim.world.update(slug, { live: true, viewers: 500, title: 'long stream' })
    front = await SimFront.start(env.sim)
    const config = env.config({ KICK_WEB_URL: front.url, BROWSER_FALLBACK: 'on', POLL_INTERVAL_S: '2' })
    poller = await inProcess('poller', config, (ctx) => startPoller(ctx, { browser: { idleCloseMs: 2000, challengeTimeoutMs: 3000 } }))
    statuses = watchStatuses(poller.client)
    await addAll(poller, [slug])
    await eventually(() => statuses.last(slug)?.live && statuses.last(slug)?.source === 'api', 10_000, 'live from the API')
  })
  afterAll(() => stopPollerTest({ poller, front, env }))

  test('API failing for three cycles: the browser takes over; API back: handed back, Chromium closes when idle', async () => {
    expect(poller.result.browser?.mode).toBe('on-failure')
    expect(front.count(isWebsite)).toBe(0) // not while the API works
    env.sim.faults.set({ errorRate: 1, paths: ['/public/v1/users/livestreams'] })
    env.sim.world.update(slug, { viewers: 640 })
    await eventually(() => statuses.last(slug)?.source === 'browser' && statuses.last(slug)?.viewers === 640, 30_000, 'a browser reading')
    expect(poller.result.browser!.browser.running).toBe(true)

    env.sim.faults.set({})
    await eventually(() => statuses.last(slug)?.source === 'api', 30_000, 'the API to take over again')
    const visits = front.count(isWebsite)
    await eventually(() => !poller.result.browser!.browser.running, 10_000, 'Chromium to close when idle')
    await Bun.sleep(2500)
    expect(front.count(isWebsite)).toBe(visits)
    // One stream across both sources: one online, no offline.
    expect((await eventRows(env.db.sql, slug)).map((e) => e.type)).toEqual(['online'])
  })

  test('a challenge that never clears is a block: at most two loads, then the default back-off of ≥ 60 s', async () => {
    front.stripCookies = true // as if the clearance cookie never sticks: the challenge comes back forever
    env.sim.faults.set({ challenge: true, errorRate: 1, paths: ['/public/v1/users/livestreams'] })
    const before = env.sim.counters.faults.challenges
    await eventually(() => poller.result.browser!.gate.blocks >= 1, 40_000, 'the challenge to count as a block')
    const gate = poller.result.browser!.gate
    expect(gate.blockBackoffMs).toBe(60_000)
    expect(gate.backoffMs).toBeGreaterThan(55_000)
    expect(env.sim.counters.faults.challenges - before).toBeLessThanOrEqual(2)
    const visits = front.count(isWebsite)
    await Bun.sleep(4000)
    expect(front.count(isWebsite)).toBe(visits)
    expect(env.sim.counters.count('GET /public/v1/users/livestreams')).toBeGreaterThan(0) // the API is still tried meanwhile
    env.sim.faults.set({})
    front.stripCookies = false
  })
})
