import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createKickSim } from '../../../services/kick-sim/src/sim.ts'
import { KickClient } from '../../../services/poller/src/kick/client.ts'
import { TokenStore } from '../../../services/poller/src/kick/token-store.ts'
import { RequestBudget } from '../../../services/poller/src/kick/request-budget.ts'
import { eventually } from '../../harness/services.ts'

// When one Kick endpoint keeps failing, the poller stops hammering it (its breaker opens)
// while the other endpoints carry on; after the back-off a single trial call decides
// whether it stays shut or closes again. Against kick-sim's 5xx fault.

const LIVE = '/public/v1/users/livestreams'

describe('circuit breaker per Kick endpoint (kick-sim)', () => {
  const sim = createKickSim({ channels: 3, activity: false })
  let kick: KickClient
  let ids: number[]
  /** Requests that reached kick-sim's livestreams route, whatever their answer. */
  const liveHits = () => Object.values(sim.counters.snapshot().requests[`GET ${LIVE}`] ?? {}).reduce((n, c) => n + c, 0)
  const setFaults = (body: unknown) =>
    fetch(`${sim.url!}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => expect(r.status).toBe(200))

  beforeAll(() => {
    const { url } = sim.listen(0)
    kick = new KickClient(url, new TokenStore(url, 'kickmon-demo', 'kickmon-demo-secret'), new RequestBudget(50))
    ids = sim.world.list().map((c) => c.user_id)
  })
  afterAll(() => sim.stop())

  test('five 5xx in a row open that endpoint\'s breaker: no more calls reach Kick, other endpoints keep working', async () => {
    await setFaults({ errorRate: 1, errorStatuses: [500, 502], paths: [LIVE] })
    for (let i = 0; i < 5; i++) await expect(kick.livestreams(ids)).rejects.toMatchObject({ kind: 'server' })
    const breaker = kick.breaker(LIVE)
    expect(breaker.state).toBe('open')
    expect(breaker.retryInMs).toBeGreaterThan(0)

    const before = liveHits()
    await expect(kick.livestreams(ids)).rejects.toThrow(/backing off/)
    expect(liveHits()).toBe(before)

    expect((await kick.channelsByUserId(ids)).length).toBe(ids.length)
    expect(kick.breaker('/public/v1/channels').state).toBe('closed')
  })

  test('after the back-off one trial goes through; a failed trial shuts it again, a good one closes it', async () => {
    const breaker = kick.breaker(LIVE)
    await eventually(() => breaker.state === 'half-open', 30_000, 'the breaker to half-open')
    // Only one trial at a time, however many callers are waiting.
    const before = liveHits()
    const tries = await Promise.allSettled([kick.livestreams(ids), kick.livestreams(ids), kick.livestreams(ids)])
    expect(tries.every((t) => t.status === 'rejected')).toBe(true)
    expect(liveHits()).toBe(before + 1)
    expect(breaker.state).toBe('open')

    await setFaults({})
    await eventually(() => breaker.state === 'half-open', 30_000, 'the breaker to half-open again')
    expect(Array.isArray(await kick.livestreams(ids))).toBe(true)
    expect(breaker.state).toBe('closed')
    // Closed means every call goes out again.
    const after = liveHits()
    await Promise.all([kick.livestreams(ids), kick.livestreams(ids)])
    expect(liveHits()).toBe(after + 2)
  })
})
