import { afterAll, beforeAll, expect, test } from 'bun:test'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { eventually } from '../../harness/services.ts'
import { webhookEnv, type WebhookEnv } from './webhooks-harness.ts'

// Kick unsubscribes an app from an event whose deliveries keep failing for more than a day
// (docs/kick-sim.md, "Kick in 2026"). The leader reads Kick's list every check period (auditMs) and re-creates
// what Kick dropped; the health report, /metrics and the /system page count them.
let w: WebhookEnv
const CHECK_MS = 1500
const health = () => request(w.nc, PollerApi.health.subject, {}, PollerApi.health.output)

beforeAll(async () => {
  w = await webhookEnv({ config: { POLL_INTERVAL_S: '30' }, poller: { webhooks: { syncMs: 200, auditMs: CHECK_MS, retryMs: 1000, requestsPerSecond: 100 } } })
  for (const c of w.sim.world.list()) w.sim.world.update(c.slug, { live: false })
})
afterAll(async () => {
  await w?.destroy()
})

test('a subscription Kick dropped after failed deliveries is re-created within one check period, and counted', async () => {
  const slug = w.sim.world.list()[0]!.slug
  const uid = w.sim.world.get(slug)!.user_id
  await w.add(slug)
  const before = w.sim.subscriptions.list(undefined, uid).find((s) => s.event === 'livestream.status.updated')!.id
  await eventually(async () => (await health()).webhooks.subscriptions_checked_at !== null, 10_000, 'first check of Kick\'s list')

  // Our endpoint fails (a broken proxy, say) and Kick gives up on the subscription: the day shortened to 0 s.
  const dead = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('down', { status: 502 }) })
  try {
    w.sim.webhooks.url = `http://127.0.0.1:${dead.port}/webhooks/kick`
    expect((await fetch(`${w.sim.url}/_sim/subscriptions/policy`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unsubscribe_after_s: 0 }) })).status).toBe(200)
    w.sim.world.update(slug, { live: true })
    await eventually(() => !w.sim.subscriptions.get(before), 10_000, 'Kick dropped the failing subscription')
    const droppedAt = Date.now()
    w.sim.webhooks.url = w.webhookUrl // our endpoint is back

    await eventually(() => w.sim.subscriptions.list(undefined, uid).some((s) => s.event === 'livestream.status.updated'), 3 * CHECK_MS + 5000, 're-created')
    // Within one check period (plus a pass and the request itself on a noisy box).
    expect(Date.now() - droppedAt).toBeLessThan(CHECK_MS + 4000)
    const h = await health()
    expect(h.webhooks).toMatchObject({ subscriptions_dropped: 1, subscriptions_alive: 2, subscriptions_wanted: 2, subscriptions_check_s: CHECK_MS / 1000 })
    const metrics = await (await w.poller.ctx.health.handle('/metrics'))!.text()
    expect(metrics).toMatch(/^webhook_subscriptions_dropped_total(\{[^}]*\})? 1$/m)

    // Deliveries flow again through the new subscription.
    w.sim.world.update(slug, { title: 'delivered again' })
    await eventually(() => w.seen.some((s) => s.slug === slug && s.title === 'delivered again' && s.source === 'webhook'), 10_000, 'metadata by webhook')
  } finally {
    dead.stop(true)
  }
})
