import { afterAll, beforeAll, expect, test } from 'bun:test'
import { signedDelivery, statusBody, testSigningKey, webhookEnv, type WebhookEnv } from './webhooks-harness.ts'

// Many deliveries at once over real HTTP, as Kick sends a burst: each is stored in JetStream
// exactly once (a repeat of a message id is answered as a duplicate, whichever copy came
// first), none is lost, and the gateway times every accepted one in each ingress stage.
const key = testSigningKey()
let w: WebhookEnv

beforeAll(async () => {
  w = await webhookEnv({ sim: { privateKeyPem: key.privateKeyPem }, config: { KICK_WEBHOOKS: 'off' } })
})
afterAll(async () => {
  await w?.destroy()
})

const stageCounts = async () => {
  const text = await (await fetch(w.webhookUrl.replace('/webhooks/kick', '/metrics'))).text()
  return Object.fromEntries([...text.matchAll(/^webhook_ingress_stage_seconds_count\{[^}]*stage="(\w+)"[^}]*\} (\d+)/gm)].map((m) => [m[1]!, Number(m[2])]))
}

test('300 deliveries and 100 repeats at once: every one stored exactly once, every repeat answered as a duplicate', async () => {
  const ch = w.sim.world.list()[0]!
  const startedAt = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const before = await w.webhookMessages()
  const stagesBefore = await stageCounts()
  const originals = Array.from({ length: 300 }, () => signedDelivery(key.privateKeyPem, { body: statusBody(ch, true, startedAt), url: w.webhookUrl }))
  const sends = [...originals, ...originals.slice(0, 100).map((r) => r.clone())].map((r) => ({ id: r.headers.get('Kick-Event-Message-Id')!, r }))
  const answers = await Promise.all(sends.map(async ({ id, r }) => {
    const res = await fetch(r)
    return { id, status: res.status, body: (await res.json()) as { ok: boolean; duplicate: boolean } }
  }))
  expect(answers.filter((a) => a.status !== 200)).toEqual([])
  const fresh = new Map<string, number>()
  for (const a of answers) if (!a.body.duplicate) fresh.set(a.id, (fresh.get(a.id) ?? 0) + 1)
  expect(fresh.size).toBe(300) // every message id accepted once…
  expect([...fresh.values()].every((n) => n === 1)).toBe(true) // …and never twice
  expect(answers.filter((a) => a.body.duplicate).length).toBe(100)
  expect((await w.webhookMessages()) - before).toBe(300)
  const stages = await stageCounts()
  for (const s of ['read', 'verify', 'jetstream_ack']) expect((stages[s] ?? 0) - (stagesBefore[s] ?? 0)).toBe(400)
})
