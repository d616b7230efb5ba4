import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { eventually } from '../../harness/services.ts'
import { webhookEnv, type WebhookEnv } from './webhooks-harness.ts'

const EVENTS = ['livestream.metadata.updated', 'livestream.status.updated']

// The subscription manager against kick-sim's Events API: one subscription per monitored
// broadcaster and event, none for anyone else, lost ones re-created, and Kick's cap
// handled without disturbing what already works.
describe('webhook subscriptions (KICK_WEBHOOKS=on)', () => {
  let w: WebhookEnv
  let slugs: string[]
  const uid = (slug: string) => w.sim.world.get(slug)!.user_id
  /** event names Kick holds for a broadcaster, sorted (a duplicate shows twice). */
  const held = (slug: string) => w.sim.subscriptions.list(undefined, uid(slug)).map((s) => s.event).sort()
  const health = () => request(w.nc, PollerApi.health.subject, {}, PollerApi.health.output)

  beforeAll(async () => {
    w = await webhookEnv({
      sim: { subscriptionCap: 6 },
      config: { POLL_INTERVAL_S: '30' },
      poller: { webhooks: { syncMs: 100, auditMs: 1000, retryMs: 1000, requestsPerSecond: 200 } },
    })
    slugs = w.sim.world.list().map((c) => c.slug)
    for (const s of slugs) w.sim.world.update(s, { live: false })
  })
  afterAll(async () => {
    await w?.destroy()
  })

  test('every monitored broadcaster gets both events, exactly once', async () => {
    for (const s of slugs.slice(0, 3)) await w.add(s)
    await Bun.sleep(500) // a few more passes must not add anything
    for (const s of slugs.slice(0, 3)) expect(held(s)).toEqual(EVENTS)
    expect(w.sim.subscriptions.size).toBe(6)
    const h = await health()
    expect(h.webhooks).toMatchObject({ enabled: true, subscriptions_alive: 6, subscriptions_wanted: 6 })
  })

  test('at the cap the new one waits, the others keep their subscriptions and deliveries', async () => {
    const [a, , , d] = slugs as [string, string, string, string]
    await w.add(d, false)
    await eventually(async () => (await health()).webhooks.subscriptions_wanted === 8, 5000, 'd wanted')
    await Bun.sleep(300)
    expect(held(d)).toEqual([])
    expect(w.sim.subscriptions.size).toBe(6)
    expect((await health()).webhooks.subscriptions_alive).toBe(6)
    expect(w.poller.result.subscriptions!.lastError).toBe('event subscription limit reached')
    // a's deliveries still arrive and drive its status.
    w.sim.world.update(a, { live: true, title: 'still delivered' })
    const live = await eventually(() => w.seen.find((s) => s.slug === a && s.live && s.source === 'webhook'), 10_000, 'a live by webhook')
    expect(live.title).toBe('still delivered')
  })

  test('removing a streamer unsubscribes it, and the freed room goes to the one waiting', async () => {
    const [, b, , d] = slugs as [string, string, string, string]
    await request(w.nc, PollerApi.remove.subject, { slug: b }, PollerApi.remove.output)
    await eventually(() => held(b).length === 0, 5000, "b's subscriptions gone")
    await eventually(() => held(d).length === 2, 10_000, 'd subscribed after the retry delay')
    expect(held(d)).toEqual(EVENTS)
    expect(w.sim.subscriptions.size).toBe(6)
    await eventually(async () => (await health()).webhooks.subscriptions_alive === 6, 5000, 'alive 6 of 6')
    expect((await health()).webhooks.subscriptions_wanted).toBe(6)
  })

  test('subscriptions Kick drops are noticed and re-created; duplicates found at Kick are removed', async () => {
    const [a, , c] = slugs as [string, string, string]
    for (const s of w.sim.subscriptions.list(undefined, uid(a))) w.sim.subscriptions.delete(s.id)
    expect(held(a)).toEqual([])
    await eventually(() => held(a).length === 2, 10_000, "a's subscriptions re-created")
    expect(held(a)).toEqual(EVENTS)
    // Someone (an earlier run, a retry Kick did accept) left a second one for c.
    w.sim.subscriptions.create('kickmon-demo', uid(c), 'livestream.status.updated', 1)
    expect(held(c)).toHaveLength(3)
    await eventually(() => held(c).length === 2, 10_000, "c's duplicate removed")
    expect(held(c)).toEqual(EVENTS)
  })
})

describe('webhook subscriptions (KICK_WEBHOOKS=off)', () => {
  let w: WebhookEnv
  beforeAll(async () => {
    w = await webhookEnv({ config: { KICK_WEBHOOKS: 'off' }, poller: { webhooks: { syncMs: 100, auditMs: 1000 } } })
  })
  afterAll(async () => {
    await w?.destroy()
  })

  test('no subscriptions are made, and the health report says webhooks are off', async () => {
    await w.add(w.sim.world.list()[0]!.slug, false)
    await Bun.sleep(500)
    expect(w.sim.subscriptions.size).toBe(0)
    const h = await request(w.nc, PollerApi.health.subject, {}, PollerApi.health.output)
    expect(h.webhooks).toMatchObject({ enabled: false, subscriptions_alive: 0, subscriptions_wanted: 0 })
  })
})
