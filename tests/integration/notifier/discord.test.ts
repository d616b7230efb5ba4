import { afterAll, beforeAll, expect, test } from 'bun:test'
import { eventually } from '../../harness/services.ts'
import { ADMIN_ACTOR, discordHook, simJson, startNotifierHarness, type Notifier, type NotifierHarness } from './harness.ts'

// A Discord channel end to end through the simulator: one message per stream, edited in place,
// turned into the summary at the end; flaps inside the cooldown stay quiet; a deleted webhook
// marks the channel broken.

let h: NotifierHarness
let notifier: Notifier
beforeAll(async () => {
  h = await startNotifierHarness()
  notifier = await h.startNotifier()
}, 120_000)
afterAll(() => h?.stop())

type SimMessage = { id: string; webhook_id: string; content: string; embeds: any[]; edits: number }
const messagesOf = async (hookId: string) => (await simJson<SimMessage[]>(h, '/_sim/discord/messages')).filter((m) => m.webhook_id === hookId)

test('go-live posts one message, a title change and the end edit that same message into a summary', async () => {
  const hook = await discordHook(h)
  const { channel, secret } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'discord', name: 'my server', config: { webhook_url: hook.url } })
  expect(secret).toBeUndefined()
  expect(JSON.stringify(channel)).not.toContain(hook.token)
  expect(channel.config.webhook_url).toBe(`${h.simUrl}/********`)
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['alpha'], events: ['online', 'offline', 'title'] })

  const started = new Date(Date.now() - 60_000).toISOString()
  await h.publish(h.online('alpha', started, { viewers: 321, title: 'Day 1' }))
  const [first] = await eventually(async () => {
    const m = await messagesOf(hook.id)
    return m.length ? m : null
  }, 15_000, 'the go-live message')
  expect(first!.embeds[0].title).toBe('ALPHA is live on Kick')
  expect(first!.embeds[0].description).toBe('Day 1')
  expect(first!.embeds[0].fields.find((f: any) => f.name === 'Viewers').value).toBe('321')

  await h.publish(h.titleChange('alpha', started, 'Day 1: the finale'))
  await eventually(async () => (await messagesOf(hook.id))[0]?.embeds[0].description === 'Day 1: the finale', 15_000, 'the title edit')

  await h.publish(h.offline('alpha', started))
  const ended = await eventually(async () => {
    const m = await messagesOf(hook.id)
    return m[0]?.embeds[0].title === 'ALPHA was live' ? m : null
  }, 15_000, 'the summary edit')
  expect(ended).toHaveLength(1) // edited, never a second message
  expect(ended[0]!.edits).toBe(2)
  expect(ended[0]!.embeds[0].fields.find((f: any) => f.name === 'Duration').value).toMatch(/^1 min$|^\d+ s$/)
  // Each log row is finished after Discord answered, so the last may trail the edit by a moment.
  const log = await eventually(async () => {
    const l = await h.n('deliveriesList', { actor: ADMIN_ACTOR, channel_id: channel.id })
    return l.deliveries.every((d) => d.status !== 'pending' && d.status !== 'sending') ? l : null
  }, 10_000, 'every delivery finished in the log')
  expect(log.deliveries.map((d) => [d.event_type, d.status])).toEqual([['offline', 'sent'], ['title', 'sent'], ['online', 'sent']])
  expect(log.deliveries.every((d) => d.provider_status === 200)).toBe(true)
}, 60_000)

test('the same event read twice (a redelivery past JetStream’s dedupe window) sends nothing twice', async () => {
  const hook = await discordHook(h)
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'discord', name: 'dup', config: { webhook_url: hook.url } })
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['beta'], events: ['online'] })
  const e = h.online('beta', new Date().toISOString())
  await h.publish(e)
  await eventually(async () => (await messagesOf(hook.id)).length === 1, 15_000, 'the first message')
  // Same event, another JetStream message id: only the ledger can stop it.
  const { jetstream } = await import('@nats-io/jetstream')
  await jetstream(h.nc).publish(`kick.events.beta.online`, JSON.stringify(e), { msgID: `${e.id}#again` })
  await Bun.sleep(1500)
  expect(await messagesOf(hook.id)).toHaveLength(1)
  const rows = await h.db.sql`select count(*)::int as n from notify_deliveries where channel_id = ${channel.id}`
  expect(rows[0]!.n).toBe(1)
}, 60_000)

test('a stream that restarts inside the cooldown sends no second alert', async () => {
  const hook = await discordHook(h)
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'discord', name: 'flap', config: { webhook_url: hook.url } })
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['gamma'], events: ['online', 'offline'], cooldown_s: 600 })
  const s1 = new Date(Date.now() - 300_000).toISOString()
  await h.publish(h.online('gamma', s1))
  await h.publish(h.offline('gamma', s1, new Date(Date.now() - 120_000).toISOString()))
  await eventually(async () => (await messagesOf(hook.id))[0]?.embeds[0].title === 'GAMMA was live', 15_000, 'the first stream’s summary')
  const s2 = new Date().toISOString()
  await h.publish(h.online('gamma', s2))
  const skipped = await eventually(async () => {
    const r = await h.db.sql<{ status: string; note: string }[]>`select status, note from notify_deliveries where channel_id = ${channel.id} and event_id = ${`gamma:online:${s2}`}`
    return r[0]
  }, 15_000, 'the flap to be recorded')
  expect(skipped.status).toBe('skipped')
  expect(skipped.note).toContain('cooldown_s 600')
  expect(await messagesOf(hook.id)).toHaveLength(1)
}, 60_000)

test('a deleted webhook marks the channel broken, and nothing is retried', async () => {
  const hook = await discordHook(h)
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'discord', name: 'gone', config: { webhook_url: hook.url } })
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: '*', events: ['online'] })
  await fetch(`${h.simUrl}/_sim/discord/webhooks/${hook.id}`, { method: 'DELETE' })
  await h.publish(h.online('delta', new Date().toISOString()))
  const broken = await eventually(async () => {
    const c = await h.n('channelsGet', { actor: ADMIN_ACTOR, id: channel.id })
    return c.broken ? c : null
  }, 15_000, 'the channel to be marked broken')
  expect(broken.broken_reason).toContain('404')
  const [d] = (await h.n('deliveriesList', { actor: ADMIN_ACTOR, channel_id: channel.id })).deliveries
  expect(d!.status).toBe('failed')
  expect(d!.attempts).toBe(1)
  expect(d!.provider_answer).toContain('Unknown Webhook')
  const before = (await simJson<any[]>(h, '/_sim/received?provider=discord')).filter((r) => r.target === hook.id).length
  await h.publish(h.online('epsilon', new Date().toISOString()))
  await Bun.sleep(1500)
  const after = (await simJson<any[]>(h, '/_sim/received?provider=discord')).filter((r) => r.target === hook.id).length
  expect(after).toBe(before)
}, 60_000)

test('metrics: deliveries by channel type and outcome, event → provider request latency; names follow the conventions', async () => {
  const text = await notifier.registry.metrics()
  const sent = /^notifier_deliveries_total\{channel_type="discord",outcome="sent",service="notifier"\} (\d+)$/m.exec(text)
  expect(Number(sent?.[1])).toBeGreaterThanOrEqual(3)
  expect(text).toMatch(/^notifier_deliveries_total\{channel_type="discord",outcome="broken",service="notifier"\} 1$/m)
  const count = /^notifier_event_to_request_seconds_count\{service="notifier",channel_type="discord"\} (\d+)$/m.exec(text)
  expect(Number(count?.[1])).toBeGreaterThanOrEqual(3)
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    expect(name!).toMatch(/^[a-z][a-z0-9_]*$/)
    if (type === 'counter') expect(name!).toMatch(/_total$/)
    if (type === 'histogram' && name!.startsWith('notifier_')) expect(name!).toMatch(/_seconds$/)
  }
})
