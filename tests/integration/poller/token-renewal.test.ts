import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createKickSim } from '../../../services/kick-sim/src/sim.ts'
import { KickClient, type Outcome } from '../../../services/poller/src/kick/client.ts'
import { TokenStore } from '../../../services/poller/src/kick/token-store.ts'
import { RequestBudget } from '../../../services/poller/src/kick/request-budget.ts'

// The app token expires (kick-sim issues short-lived ones here, as Kick does, just longer):
// the poller renews it before it runs out, so polling never meets a 401 for an expired
// token; one token serves every concurrent caller; a token Kick drops early costs one retry.

const TTL_S = 5

describe('app token renewal (kick-sim with a short token lifetime)', () => {
  const sim = createKickSim({ channels: 3, activity: false, tokenTtlS: TTL_S })
  let url: string
  let ids: number[]
  const outcomes: Outcome[] = []
  const tokenRequests = () => Object.values(sim.counters.snapshot().requests['POST /oauth/token'] ?? {}).reduce((n, c) => n + c, 0)
  const client = (tokens = new TokenStore(url, 'kickmon-demo', 'kickmon-demo-secret')) =>
    new KickClient(url, tokens, new RequestBudget(50), (o) => outcomes.push(o))

  beforeAll(() => {
    url = sim.listen(0).url
    ids = sim.world.list().map((c) => c.user_id)
  })
  afterAll(() => sim.stop())

  test('calls over three token lifetimes all succeed first time: the token is renewed before it expires', async () => {
    const kick = client()
    outcomes.length = 0
    const before = tokenRequests()
    const until = Date.now() + 3 * TTL_S * 1000 + 500
    while (Date.now() < until) {
      expect((await kick.channelsByUserId(ids)).length).toBe(ids.length)
      await Bun.sleep(200)
    }
    expect(outcomes.filter((o) => o.outcome !== 'ok')).toEqual([])
    // The first token, then renewals as lifetimes ran out.
    expect(tokenRequests() - before).toBeGreaterThanOrEqual(3)
  }, 60_000)

  test('concurrent callers share one token request', async () => {
    const kick = client()
    const before = tokenRequests()
    await Promise.all(Array.from({ length: 10 }, () => kick.channelsByUserId(ids)))
    expect(tokenRequests() - before).toBe(1)
  })

  test('a token Kick expires early: one 401, a new token, and the call still succeeds', async () => {
    const kick = client()
    await kick.channelsByUserId(ids)
    const r = await fetch(`${url}/_sim/tokens/expire`, { method: 'POST' })
    expect(((await r.json()) as { expired: number }).expired).toBeGreaterThan(0)
    outcomes.length = 0
    const before = tokenRequests()
    expect((await kick.channelsByUserId(ids)).length).toBe(ids.length)
    expect(outcomes.map((o) => o.outcome)).toEqual(['unauthorized', 'ok'])
    expect(tokenRequests() - before).toBe(1)
  })
})
