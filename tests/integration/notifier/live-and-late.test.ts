import { afterAll, beforeAll, expect, test } from 'bun:test'
import { eventually } from '../../harness/services.ts'
import { ADMIN_ACTOR, discordHook, simJson, startNotifierHarness, type Notifier, type NotifierHarness } from './harness.ts'

// While a stream runs its message follows the viewers; min_viewers holds the alert until the
// stream gets there; events from while the notifier was down are sent when it returns, unless
// they are older than NOTIFY_MAX_AGE_S.

let h: NotifierHarness
let notifier: Notifier
beforeAll(async () => {
  h = await startNotifierHarness({ NOTIFY_MAX_AGE_S: '60' })
  notifier = await h.startNotifier()
}, 120_000)
afterAll(() => h?.stop())

type SimMessage = { id: string; webhook_id: string; embeds: any[]; edits: number }
const messagesOf = async (hookId: string) => (await simJson<SimMessage[]>(h, '/_sim/discord/messages')).filter((m) => m.webhook_id === hookId)
const viewersIn = (m: SimMessage) => m.embeds[0]?.fields?.find((f: any) => f.name === 'Viewers')?.value

test('the live message is edited with the current viewers, at most every update_every_s', async () => {
  const hook = await discordHook(h)
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'discord', name: 'live', config: { webhook_url: hook.url, update_every_s: 30 } })
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['lima'], events: ['online'] })
  const started = new Date(Date.now() - 5000).toISOString()
  await h.publish(h.online('lima', started, { viewers: 10 }))
  await eventually(async () => (await messagesOf(hook.id)).length === 1, 15_000, 'the go-live message')
  // Within update_every_s of the post: a new viewer count does not edit.
  h.liveStatus('lima', started, 55)
  await Bun.sleep(800)
  expect((await messagesOf(hook.id))[0]!.edits).toBe(0)
  // update_every_s later (the clock moved on in the ledger): the next status edits it.
  await h.db.sql`update notify_messages set last_edit_at = now() - interval '31 seconds' where slug = 'lima'`
  h.liveStatus('lima', started, 777)
  const [m] = await eventually(async () => {
    const list = await messagesOf(hook.id)
    return list[0]?.edits === 1 ? list : null
  }, 15_000, 'the viewer edit')
  expect(viewersIn(m!)).toBe('777')
  // A status of another stream (a restart) never edits this one's message.
  await h.db.sql`update notify_messages set last_edit_at = now() - interval '31 seconds' where slug = 'lima'`
  h.liveStatus('lima', new Date().toISOString(), 5)
  await Bun.sleep(800)
  expect((await messagesOf(hook.id))[0]!.edits).toBe(1)
}, 60_000)

test('min_viewers: the go-live alert waits for the stream to reach it; a stream ending below it sends nothing', async () => {
  const hook = await discordHook(h)
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'discord', name: 'big', config: { webhook_url: hook.url } })
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['mike', 'mini'], events: ['online', 'offline'], min_viewers: 500 })
  const started = new Date().toISOString()
  await h.publish(h.online('mike', started, { viewers: 0 }))
  await h.publish(h.online('mini', started, { viewers: 3 }))
  await Bun.sleep(1000)
  expect(await messagesOf(hook.id)).toHaveLength(0)
  h.liveStatus('mike', started, 650)
  const [m] = await eventually(async () => {
    const l = await messagesOf(hook.id)
    return l.length ? l : null
  }, 15_000, 'the alert once mike reached 500')
  expect(m!.embeds[0].title).toBe('MIKE is live on Kick')
  expect(viewersIn(m!)).toBe('650')
  await h.publish(h.offline('mini', started))
  const rows = await eventually(async () => {
    const r = await h.db.sql<{ event_type: string; status: string; note: string }[]>`select event_type, status, note from notify_deliveries where slug = 'mini' order by id`
    return r.length === 2 ? r : null
  }, 15_000, 'mini’s rows')
  expect(rows.map((r) => [r.event_type, r.status])).toEqual([['online', 'skipped'], ['offline', 'skipped']])
  expect(rows[0]!.note).toBe('the stream ended below 500 viewers')
  expect(await messagesOf(hook.id)).toHaveLength(1)
}, 60_000)

test('events from while the notifier was down are sent when it returns; older than NOTIFY_MAX_AGE_S are skipped', async () => {
  const hook = await discordHook(h)
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'discord', name: 'late', config: { webhook_url: hook.url } })
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['oscar', 'papa'], events: ['online'] })
  await notifier.stop()
  const young = h.online('oscar', new Date(Date.now() - 10_000).toISOString())
  const old = { ...h.online('papa', new Date(Date.now() - 600_000).toISOString()), at: new Date(Date.now() - 120_000).toISOString() }
  await h.publish(young)
  await h.publish(old)
  notifier = await h.startNotifier()
  await eventually(async () => (await messagesOf(hook.id)).length === 1, 20_000, 'the event from the downtime')
  await Bun.sleep(1000)
  const sent = await messagesOf(hook.id)
  expect(sent.map((m) => m.embeds[0].title)).toEqual(['OSCAR is live on Kick'])
  const tooOld = (await notifier.registry.getSingleMetric('notifier_events_total')!.get()).values.find((v) => v.labels.outcome === 'too_old')
  expect(tooOld?.value).toBe(1)
  expect((await h.db.sql`select 1 from notify_deliveries where slug = 'papa'`).length).toBe(0)
}, 60_000)
