import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createKickSim } from '../../../services/kick-sim/src/sim.ts'
import { KickClient } from '../../../services/poller/src/kick/client.ts'
import { TokenStore } from '../../../services/poller/src/kick/token-store.ts'
import { RequestBudget } from '../../../services/poller/src/kick/request-budget.ts'

// Kick documents error bodies as {"data": null, "message": …}; issue reports show {"data": {}}.
// The client must read both the same way: the same failure kind, nothing thrown from parsing.
const LIVE = '/public/v1/users/livestreams'

describe('Kick error bodies, documented and as seen in the wild', () => {
  const sim = createKickSim({ channels: 3, activity: false })
  let url: string
  let ids: number[]
  const faults = (body: unknown) => fetch(`${url}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  // A fresh client per case, so one case's breaker state never decides another's outcome.
  const client = () => new KickClient(url, new TokenStore(url, 'kickmon-demo', 'kickmon-demo-secret'), new RequestBudget(50))

  beforeAll(() => {
    url = sim.listen(0).url
    ids = sim.world.list().map((c) => c.user_id)
  })
  afterAll(() => sim.stop())

  for (const [form, legacy] of [['{"data": null}', false], ['{"data": {}}', true]] as const) {
    test(`${form}: a 500 is a server failure, a 429 a rate limit, a 400 keeps its reason; then polling works again`, async () => {
      const raw = await (await faults({ legacyErrorBody: legacy, errorRate: 1, errorStatuses: [500], paths: [LIVE] })).json()
      expect(raw).toMatchObject({ legacyErrorBody: legacy })
      const direct = await fetch(`${url}${LIVE}?user_id=${ids[0]}`, { headers: { authorization: 'Bearer x' } })
      expect(((await direct.json()) as { data: unknown }).data).toEqual(legacy ? {} : null) // the form under test really is served

      await expect(client().livestreams(ids)).rejects.toMatchObject({ kind: 'server', status: 500 })
      await faults({ legacyErrorBody: legacy, rateLimit: { rps: 0.001, burst: 1 }, paths: [LIVE] })
      const kick = client()
      await kick.livestreams(ids)
      await expect(kick.livestreams(ids)).rejects.toMatchObject({ kind: 'rate_limited', status: 429 })
      await faults({ legacyErrorBody: legacy })
      await expect(client().users([])).rejects.toMatchObject({ kind: 'bad_request', status: 400 })
      await faults({})
      expect((await client().livestreams(ids)).length).toBe(sim.world.list().filter((c) => c.live).length)
    })
  }
})
