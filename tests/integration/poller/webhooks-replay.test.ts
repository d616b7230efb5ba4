import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs } from '../../harness/nats-auth.ts'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { ensureWebhookStream, STREAMS } from '../../../shared/src/nats-resources.ts'
import { request } from '../../../shared/src/rpc.ts'
import { WEBHOOKS_STREAM } from '../../../shared/src/contracts/names.ts'
import { WEBHOOK_MAX_SKEW_MS } from '../../../shared/src/webhook-window.ts'
import { startGateway } from '../../../services/gateway/src/gateway.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import { testNats } from '../../harness/infra.ts'
import { signedDelivery, statusBody, testSigningKey } from './webhooks-harness.ts'

// A signed delivery is accepted while its timestamp is within ±5 minutes of the gateway's
// clock: a copy replayed anywhere in that span must be dropped by JetStream (message id =
// Kick-Event-Message-Id), whichever poller is running by then and however often it restarted.

const SPAN_NS = 2 * WEBHOOK_MAX_SKEW_MS * 1e6
const windowOf = async (jsm: JetStreamManager) => (await jsm.streams.info(WEBHOOKS_STREAM)).config.duplicate_window

test('a new KICK_WEBHOOKS remembers message ids for the whole span a timestamp is accepted in', async () => {
  const nats = await testNats()
  const nc = await connectAs(nats.url, 'operator')
  try {
    await ensureWebhookStream(nc) // the gateway's path; the poller creates it from the same config
    expect(await windowOf(await jetstreamManager(nc))).toBeGreaterThanOrEqual(SPAN_NS)
  } finally {
    await nc.close()
    await nats.destroy()
  }
})

test('the message ids JetStream remembers survive a restart of nats-server', async () => {
  const nats = await testNats()
  let nc = await connectAs(nats.url, 'operator')
  try {
    let js = await ensureWebhookStream(nc)
    const publish = () => js.publish('kick.webhooks.livestream.status.updated', '{}', { msgID: '01REPLAYACROSSRESTART0000' })
    expect((await publish()).duplicate).toBe(false)
    await nc.close()
    await nats.stop()
    await nats.start()
    nc = await connectAs(nats.url, 'operator')
    js = await ensureWebhookStream(nc)
    expect((await publish()).duplicate).toBe(true)
  } finally {
    await nc.close()
    await nats.destroy()
  }
})

describe('a replayed delivery', () => {
  const key = testSigningKey()
  let env: TestEnv
  let nc: NatsConnection
  let jsm: JetStreamManager
  let gateway: Awaited<ReturnType<typeof startGatewayIn>>
  const pollers: Awaited<ReturnType<typeof startPollerIn>>[] = []
  let ch: { user_id: number; slug: string; username: string }
  const startPollerIn = (e: TestEnv) => inProcess('poller', e.config({ KICK_WEBHOOKS: 'off' }), (ctx) => startPoller(ctx))
  const startGatewayIn = (e: TestEnv) => inProcess('gateway', e.config({ KICK_WEBHOOKS: 'off' }), (ctx) => startGateway(ctx))
  const started = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')

  beforeAll(async () => {
    env = await testEnv({ channels: 3, privateKeyPem: key.privateKeyPem })
    nc = await connectAs(env.nats.url, 'operator')
    jsm = await jetstreamManager(nc)
    // The stream as an older release left it: a duplicate window (here 3 s) shorter than the span.
    await jsm.streams.add({ ...STREAMS[WEBHOOKS_STREAM], subjects: [...STREAMS[WEBHOOKS_STREAM].subjects], duplicate_window: 3e9 })
    pollers.push(await startPollerIn(env))
    gateway = await startGatewayIn(env)
    ch = env.sim.world.list()[0]!
    env.sim.world.update(ch.slug, { live: false })
    await request(nc, PollerApi.add.subject, { slug: ch.slug }, PollerApi.add.output, { timeout: 15_000 })
  }, 60_000)
  afterAll(async () => {
    await gateway?.stop()
    for (const p of pollers) await p.stop()
    await nc?.close()
    await env?.destroy()
  })

  test('a poller starting on a stream with a shorter duplicate window widens it', async () => {
    expect(await windowOf(jsm)).toBeGreaterThanOrEqual(SPAN_NS)
  })

  test('after the old window, a poller restart and a second poller, is dropped and applied by none', async () => {
    const original = signedDelivery(key.privateKeyPem, { body: statusBody(ch, true, started) })
    const copy = original.clone()
    const first = await gateway.result.app.handle(original)
    expect(await first.json()).toEqual({ ok: true, duplicate: false })
    await eventually(() => pollers[0]!.result.stats.webhooks.received === 1, 10_000, 'the first poller applying it')

    // The first poller restarts (its memory of message ids is gone) and a second one joins.
    await pollers[0]!.stop()
    pollers.length = 0
    pollers.push(await startPollerIn(env), await startPollerIn(env))
    await Bun.sleep(4000) // past the 3-second window the stream was made with

    const replay = await gateway.result.app.handle(copy)
    expect(await replay.json()).toEqual({ ok: true, duplicate: true })
    // A fresh delivery behind it: each poller sees every delivery in order, so once both have
    // this one, a replay that had got through would have been counted before it.
    const next = await gateway.result.app.handle(signedDelivery(key.privateKeyPem, { body: statusBody(ch, true, started, 'a new title') }))
    expect(await next.json()).toEqual({ ok: true, duplicate: false })
    for (const p of pollers) await eventually(() => p.result.stats.webhooks.received >= 1, 10_000, 'the fresh delivery')
    expect(pollers.map((p) => p.result.stats.webhooks.received)).toEqual([1, 1])
    expect((await jsm.streams.info(WEBHOOKS_STREAM)).state.messages).toBe(2)
  }, 60_000)

  test('the webhook route passes on only a sane x-request-id, like every other route', async () => {
    const send = async (rid: string) => {
      const req = signedDelivery(key.privateKeyPem, { body: statusBody(ch, true, started) })
      req.headers.set('x-request-id', rid)
      const res = await gateway.result.app.handle(req)
      expect(res.status).toBe(200)
      const m = await jsm.streams.getMessage(WEBHOOKS_STREAM, { last_by_subj: 'kick.webhooks.livestream.status.updated' })
      return m!.header.get('x-request-id')
    }
    expect(await send('kick-req-0001')).toBe('kick-req-0001')
    for (const bad of ['x'.repeat(300), 'has spaces in it', 'short', '../../etc/passwd?'])
      expect(await send(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })
})
