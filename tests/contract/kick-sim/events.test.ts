import { describe, expect, test } from 'bun:test'
import { createVerify } from 'node:crypto'
import type { KickSim, KickSimOptions } from '../../../services/kick-sim/src/sim.ts'
import { api, appToken, control, newSim, receiver, stopAfterEach, subscribe, type Receiver } from './helpers.ts'

// docs/kick-api.md#webhooks: subscriptions, signed deliveries, delivery faults.
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/
let sim: KickSim
let rx: Receiver | null = null
stopAfterEach(() => [sim, rx])

async function setup(opts: KickSimOptions = {}, status?: (n: number) => number) {
  rx = receiver(status)
  sim = newSim({ channels: 10, webhookUrl: rx.url, ...opts })
  const token = await appToken(sim)
  return { token, rx }
}


const offline = () => sim.world.list().find((c) => !c.live)!
const verify = (pem: string, h: Record<string, string>, body: string) =>
  createVerify('RSA-SHA256').update(`${h['kick-event-message-id']}.${h['kick-event-message-timestamp']}.${body}`).verify(pem, h['kick-event-signature'] ?? '', 'base64')

describe('subscriptions', () => {
  test('POST answers per-event results; GET lists them; DELETE ?id= → 204', async () => {
    const { token } = await setup()
    const ch = offline()
    const { status, body } = await subscribe(sim, token, ch.user_id)
    expect(status).toBe(200)
    expect(body.message).toBe('OK')
    expect(body.data).toHaveLength(2)
    for (const d of body.data) {
      expect(Object.keys(d).sort()).toEqual(['error', 'name', 'subscription_id', 'version'])
      expect(d.error).toBe('')
      expect(d.subscription_id).toMatch(ULID)
    }
    const list = await api(sim, token, `/public/v1/events/subscriptions?broadcaster_user_id=${ch.user_id}`)
    const listed = ((await list.json()) as { data: any[] }).data
    expect(listed.map((s) => s.id).sort()).toEqual(body.data.map((d: any) => d.subscription_id).sort())
    expect(Object.keys(listed[0]).sort()).toEqual(['app_id', 'broadcaster_user_id', 'created_at', 'event', 'id', 'method', 'updated_at', 'version'])
    const del = await api(sim, token, `/public/v1/events/subscriptions?${body.data.map((d: any) => `id=${d.subscription_id}`).join('&')}`, { method: 'DELETE' })
    expect(del.status).toBe(204)
    const after = await api(sim, token, '/public/v1/events/subscriptions')
    expect(((await after.json()) as { data: any[] }).data).toEqual([])
  })

  test('app token without broadcaster_user_id → 400; cap reached → the documented limit error', async () => {
    const { token } = await setup({ subscriptionCap: 3 })
    const ch = offline()
    const res = await api(sim, token, '/public/v1/events/subscriptions', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ name: 'livestream.status.updated', version: 1 }], method: 'webhook' }),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toBe('Bad request')
    expect((await subscribe(sim, token, ch.user_id)).status).toBe(200)
    const over = await subscribe(sim, token, ch.user_id)
    expect(over.status).toBe(400)
    expect(over.body).toEqual({ data: 'event subscription limit reached', message: 'Bad request' })
    expect((await subscribe(sim, token, ch.user_id, ['livestream.status.updated'])).status).toBe(200) // exactly at the cap
  })
})

describe('deliveries', () => {
  test('going live delivers livestream.status.updated with six headers and a signature the served key verifies', async () => {
    const { token, rx } = await setup()
    const ch = offline()
    const sub = await subscribe(sim, token, ch.user_id, ['livestream.status.updated'])
    const pemRes = await api(sim, null, '/public/v1/public-key')
    const pem = ((await pemRes.json()) as { data: { public_key: string } }).data.public_key
    const res = await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true })
    expect(res.status).toBe(200)
    const [d] = await rx.waitFor(1)
    const h = d!.headers
    expect(h['kick-event-message-id']).toMatch(ULID)
    expect(h['kick-event-subscription-id']).toBe(sub.body.data[0].subscription_id)
    expect(h['kick-event-message-timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(h['kick-event-type']).toBe('livestream.status.updated')
    expect(h['kick-event-version']).toBe('1')
    expect(h['kick-event-signature']).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(verify(pem, h, d!.body)).toBe(true)
    expect(verify(pem, h, d!.body.replace('"is_live":true', '"is_live":false'))).toBe(false)
    const body = JSON.parse(d!.body)
    expect(body).toMatchObject({ is_live: true, ended_at: null, title: ch.title })
    expect(body.broadcaster).toMatchObject({ user_id: ch.user_id, channel_slug: ch.slug, username: ch.username, is_anonymous: false, identity: null })
    expect(Date.parse(body.started_at)).toBe(Date.parse(sim.world.get(ch.slug)!.started_at!.replace(/\.\d{3}Z$/, 'Z')))
  })

  test('going offline sends ended_at; a title/category change sends livestream.metadata.updated; viewers alone send nothing', async () => {
    const { token, rx } = await setup()
    const ch = sim.world.list().find((c) => c.live)!
    await subscribe(sim, token, ch.user_id)
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { viewers: 4242 })
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { title: 'new title', category: { id: 10, name: 'Chess' } })
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: false })
    const got = await rx.waitFor(2)
    await Bun.sleep(100)
    expect(got).toHaveLength(2)
    const meta = got.find((g) => g.headers['kick-event-type'] === 'livestream.metadata.updated')!
    expect(JSON.parse(meta.body).metadata).toMatchObject({ title: 'new title', category: { id: 10, name: 'Chess' } })
    const status = JSON.parse(got.find((g) => g.headers['kick-event-type'] === 'livestream.status.updated')!.body)
    expect(status.is_live).toBe(false)
    expect(Date.parse(status.ended_at)).toBeGreaterThanOrEqual(Date.parse(status.started_at))
  })

  test('duplicate subscriptions are each delivered, with different message ids', async () => {
    const { token, rx } = await setup()
    const ch = offline()
    await subscribe(sim, token, ch.user_id, ['livestream.status.updated'])
    await subscribe(sim, token, ch.user_id, ['livestream.status.updated'])
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true })
    const got = await rx.waitFor(2)
    expect(new Set(got.map((g) => g.headers['kick-event-message-id'])).size).toBe(2)
    expect(new Set(got.map((g) => g.headers['kick-event-subscription-id'])).size).toBe(2)
  })

  test('POST /_sim/webhooks delivers the current state now', async () => {
    const { token, rx } = await setup()
    const ch = offline()
    await subscribe(sim, token, ch.user_id)
    const res = await control(sim, 'POST', '/_sim/webhooks', { slug: ch.slug, event: 'livestream.metadata.updated' })
    expect(await res.json()).toEqual({ event: 'livestream.metadata.updated', slug: ch.slug, subscriptions: 1 })
    const [d] = await rx.waitFor(1)
    expect(d!.headers['kick-event-type']).toBe('livestream.metadata.updated')
    const bad = await control(sim, 'POST', '/_sim/webhooks', { slug: ch.slug, event: 'chat.message.sent' })
    expect(bad.status).toBe(400)
  })
})

describe('delivery faults', () => {
  test('duplicateRate 1 sends the same message id twice; duplicateNewIdRate 1 sends a copy with a new id', async () => {
    const { token, rx } = await setup()
    const [a, b] = sim.world.list().filter((c) => !c.live)
    await subscribe(sim, token, a!.user_id, ['livestream.status.updated'])
    await subscribe(sim, token, b!.user_id, ['livestream.status.updated'])
    await control(sim, 'PUT', '/_sim/faults', { webhook: { duplicateRate: 1 } })
    await control(sim, 'PATCH', `/_sim/channels/${a!.slug}`, { live: true })
    const same = await rx.waitFor(2)
    expect(same[0]!.headers['kick-event-message-id']).toBe(same[1]!.headers['kick-event-message-id'])
    expect(same[0]!.body).toBe(same[1]!.body)
    await control(sim, 'PUT', '/_sim/faults', { webhook: { duplicateNewIdRate: 1 } })
    await control(sim, 'PATCH', `/_sim/channels/${b!.slug}`, { live: true })
    const all = await rx.waitFor(4)
    const [c, d] = all.slice(2)
    expect(c!.headers['kick-event-message-id']).not.toBe(d!.headers['kick-event-message-id'])
    expect(c!.body).toBe(d!.body)
    const counters = (await (await control(sim, 'GET', '/_sim/counters')).json()) as { webhooks: { duplicated: number; sent: number } }
    expect(counters.webhooks.duplicated).toBe(2)
    expect(counters.webhooks.sent).toBe(4)
  })

  test('dropRate 1 sends nothing and counts the drop', async () => {
    const { token, rx } = await setup()
    const ch = offline()
    await subscribe(sim, token, ch.user_id)
    await control(sim, 'PUT', '/_sim/faults', { webhook: { dropRate: 1 } })
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true })
    await Bun.sleep(200)
    expect(rx.got).toHaveLength(0)
    expect(sim.counters.snapshot().webhooks.dropped).toBe(1)
  })

  test('delayMs holds a delivery back', async () => {
    const { token, rx } = await setup()
    const ch = offline()
    await subscribe(sim, token, ch.user_id, ['livestream.status.updated'])
    await control(sim, 'PUT', '/_sim/faults', { webhook: { delayMs: 400 } })
    const t0 = Date.now()
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true })
    await Bun.sleep(200)
    expect(rx.got).toHaveLength(0)
    const [d] = await rx.waitFor(1)
    expect(d!.at - t0).toBeGreaterThanOrEqual(380)
  })

  test('reorderWindowMs delivers a burst newest first', async () => {
    const { token, rx } = await setup()
    const ch = offline()
    await subscribe(sim, token, ch.user_id, ['livestream.status.updated'])
    await control(sim, 'PUT', '/_sim/faults', { webhook: { reorderWindowMs: 200 } })
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true })
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: false })
    const got = await rx.waitFor(2)
    expect(got.map((g) => JSON.parse(g.body).is_live)).toEqual([false, true])
  })

  test('a subscription whose deliveries keep failing is removed after unsubscribeAfterS', async () => {
    const { token, rx } = await setup({ unsubscribeAfterS: 1 }, () => 500)
    const ch = offline()
    await subscribe(sim, token, ch.user_id, ['livestream.status.updated'])
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true })
    await rx.waitFor(1)
    await sim.webhooks.idle()
    expect(sim.subscriptions.size).toBe(1) // one failure is not enough
    await Bun.sleep(1050)
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: false })
    await rx.waitFor(2)
    await sim.webhooks.idle()
    expect(sim.subscriptions.size).toBe(0)
    expect(sim.counters.snapshot().webhooks).toMatchObject({ failed: 2, unsubscribed: 1 })
  })
})
