import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { jetstreamManager } from '@nats-io/jetstream'
import { eventually } from '../../harness/services.ts'
import { ErrorBody, signedDelivery, statusBody, testSigningKey, webhookEnv, type WebhookEnv } from './webhooks-harness.ts'

// POST /webhooks/kick: every way a delivery can be wrong gets its own 4xx, and nothing of
// it reaches JetStream, the state machine or PostgreSQL.
describe('POST /webhooks/kick', () => {
  const key = testSigningKey()
  let w: WebhookEnv
  let ch: { user_id: number; slug: string; username: string }
  const startedAt = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')

  beforeAll(async () => {
    w = await webhookEnv({ sim: { privateKeyPem: key.privateKeyPem }, config: { KICK_WEBHOOKS: 'off' } })
    ch = w.sim.world.list()[0]!
    w.sim.world.update(ch.slug, { live: false })
    await w.add(ch.slug, false)
  })
  afterAll(async () => {
    await w?.destroy()
  })

  const deliver = (o: Parameters<typeof signedDelivery>[1] = {}) => w.handle(signedDelivery(key.privateKeyPem, { body: statusBody(ch, true, startedAt), ...o }))
  const expectError = async (res: Response, status: number, code: string, message: string | RegExp) => {
    expect(res.status).toBe(status)
    const body = ErrorBody.parse(await res.json())
    expect(body.error.code).toBe(code)
    expect(body.error.message).toMatch(message)
  }

  test('a missing Kick-Event-* header is a 400 that names it', async () => {
    for (const h of ['Kick-Event-Message-Id', 'Kick-Event-Subscription-Id', 'Kick-Event-Signature', 'Kick-Event-Message-Timestamp', 'Kick-Event-Type', 'Kick-Event-Version'])
      await expectError(await deliver({ omit: h }), 400, 'BAD_REQUEST', `missing header ${h}`)
  })

  test('a signature that does not verify is a 401', async () => {
    const other = testSigningKey()
    const tampered = signedDelivery(key.privateKeyPem, { body: statusBody(ch, true, startedAt) })
    const forged = new Request(tampered.url, { method: 'POST', headers: tampered.headers, body: JSON.stringify(statusBody(ch, true, startedAt, 'changed')) })
    await expectError(await w.handle(forged), 401, 'UNAUTHENTICATED', 'invalid Kick-Event-Signature')
    await expectError(await deliver({ signWith: other.privateKeyPem }), 401, 'UNAUTHENTICATED', 'invalid Kick-Event-Signature')
    const garbage = signedDelivery(key.privateKeyPem, { body: statusBody(ch, true, startedAt) })
    garbage.headers.set('Kick-Event-Signature', 'not base64 at all!')
    await expectError(await w.handle(garbage), 401, 'UNAUTHENTICATED', 'invalid Kick-Event-Signature')
    // The signature covers the message id: replaying it under another id fails.
    const replay = signedDelivery(key.privateKeyPem, { body: statusBody(ch, true, startedAt) })
    replay.headers.set('Kick-Event-Message-Id', '01REPLAYEDUNDERANOTHERID00')
    await expectError(await w.handle(replay), 401, 'UNAUTHENTICATED', 'invalid Kick-Event-Signature')
  })

  test('a timestamp more than 5 minutes from now is refused as stale, even when signed', async () => {
    const rfc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
    await expectError(await deliver({ timestamp: rfc(Date.now() - 6 * 60_000) }), 400, 'BAD_REQUEST', /^stale delivery/)
    await expectError(await deliver({ timestamp: rfc(Date.now() + 6 * 60_000) }), 400, 'BAD_REQUEST', /^stale delivery/)
    await expectError(await deliver({ timestamp: 'yesterday' }), 400, 'BAD_REQUEST', 'not an RFC 3339 time')
  })

  test('a body over 64 KB is a 413, whether declared or streamed', async () => {
    const big = JSON.stringify({ ...statusBody(ch, true, startedAt), padding: 'x'.repeat(70_000) })
    await expectError(await deliver({ body: big }), 413, 'PAYLOAD_TOO_LARGE', 'larger than 64 KB')
    const signed = signedDelivery(key.privateKeyPem, { body: big })
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < big.length; i += 8192) c.enqueue(new TextEncoder().encode(big.slice(i, i + 8192)))
        c.close()
      },
    })
    const streamed = new Request(signed.url, { method: 'POST', headers: signed.headers, body: chunks, duplex: 'half' } as RequestInit)
    expect(streamed.headers.get('content-length')).toBeNull()
    await expectError(await w.handle(streamed), 413, 'PAYLOAD_TOO_LARGE', 'larger than 64 KB')
  })

  test('signed but unusable: a body that is not JSON, an event type that is not a name', async () => {
    await expectError(await deliver({ body: 'not json {' }), 400, 'BAD_REQUEST', 'the body is not JSON')
    await expectError(await deliver({ type: 'livestream.>' }), 400, 'BAD_REQUEST', 'Kick-Event-Type')
    await expectError(await deliver({ messageId: 'has spaces and *' }), 400, 'BAD_REQUEST', 'Kick-Event-Message-Id')
  })

  test('nothing of the rejected deliveries reached JetStream, the state machine or PostgreSQL', async () => {
    await Bun.sleep(500)
    expect(await w.webhookMessages()).toBe(0)
    expect(w.seen.some((s) => s.source === 'webhook' || s.live)).toBe(false)
    expect(await w.recorded(ch.slug)).toEqual([])
    const health = w.poller.result.stats.webhooks
    expect(health.received).toBe(0)
  })

  test('a valid delivery is stored and applied; the same message id again is answered 200 and dropped', async () => {
    const req = signedDelivery(key.privateKeyPem, { body: statusBody(ch, true, startedAt) })
    const again = req.clone()
    const res = await w.handle(req)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true, duplicate: false })
    const live = await eventually(() => w.seen.find((s) => s.slug === ch.slug && s.live), 5000, 'live from the webhook')
    expect(live).toMatchObject({ source: 'webhook', started_at: new Date(startedAt).toISOString(), stale: false })
    const dup = await w.handle(again)
    expect(dup.status).toBe(200)
    expect(await dup.json()).toEqual({ ok: true, duplicate: true })
    expect(await w.webhookMessages()).toBe(1)
    await eventually(async () => (await w.recorded(ch.slug)).includes('online'), 5000, 'online recorded')
    expect(w.poller.result.stats.webhooks.received).toBe(1)
  })

  test('signed JSON the poller cannot read is terminated: counted, never redelivered, nothing applied', async () => {
    const seenBefore = w.seen.length
    const res = await deliver({ body: { broadcaster: { user_id: ch.user_id }, is_live: 'maybe' } })
    expect(res.status).toBe(200) // authentic, so Kick must not retry it; the poller decides what it means
    const stats = w.poller.result.stats.webhooks
    await eventually(() => stats.malformed === 1, 5000, 'the delivery to be refused')
    const jsm = await jetstreamManager(w.nc)
    await eventually(async () => (await jsm.consumers.info('KICK_WEBHOOKS', w.poller.result.webhooks.durable)).num_ack_pending === 0, 5000, 'nothing pending')
    await Bun.sleep(300)
    expect(stats.malformed).toBe(1)
    expect((await jsm.consumers.info('KICK_WEBHOOKS', w.poller.result.webhooks.durable)).num_redelivered).toBe(0)
    expect(w.seen.slice(seenBefore).some((st) => st.source === 'webhook')).toBe(false)
  })
})
