import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Webhook } from 'standardwebhooks'
import { eventually } from '../../harness/services.ts'
import { ADMIN_ACTOR, simJson, startNotifierHarnessRunning, type NotifierHarness } from './harness.ts'

// Telegram, ntfy, Slack and signed webhooks end to end through the simulators: go-live → one
// message; the end → the same Telegram message edited (ntfy: same sequence id; Slack and
// webhooks: a second message); rate limits honoured; dead channels shown broken.

let h: NotifierHarness
beforeAll(async () => void (h = await startNotifierHarnessRunning()), 120_000)
afterAll(() => h?.stop())

const received = (provider: string) => simJson<any[]>(h, `/_sim/received?provider=${provider}`)
const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString()

test('telegram: sendMessage at go-live, editMessageText of the same message at the end, 429 retry_after honoured', async () => {
  const bot = await simJson<{ token: string }>(h, '/_sim/telegram/bots', { method: 'POST', body: JSON.stringify({ chat_ids: [4242] }) })
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'telegram', name: 'tg', config: { bot_token: bot.token, chat_id: 4242, api_url: h.simUrl } })
  expect(JSON.stringify(channel)).not.toContain(bot.token.split(':')[1]!)
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['tango'], events: ['online', 'offline'] })
  // The first request is refused with retry_after 1: the message still arrives, once.
  await fetch(`${h.simUrl}/_sim/faults`, { method: 'PUT', body: JSON.stringify({ telegram_429: { count: 1, retry_after: 1 } }) })
  const started = ago(3600)
  await h.publish(h.online('tango', started, { viewers: 77 }))
  const msgs = await eventually(async () => {
    const m = (await simJson<any[]>(h, '/_sim/telegram/messages')).filter((x) => x.chat_id === '4242')
    return m.length ? m : null
  }, 20_000, 'the Telegram message')
  expect(msgs[0].text).toContain('TANGO is live on Kick')
  expect(msgs[0].text).toContain('77 viewers')
  const d = await eventually(async () => (await h.n('deliveriesList', { actor: ADMIN_ACTOR, channel_id: channel.id })).deliveries.find((x) => x.status === 'sent'), 10_000, 'the delivery recorded as sent')
  expect(d.attempts).toBe(2)

  await h.publish(h.offline('tango', started))
  await eventually(async () => {
    const m = (await simJson<any[]>(h, '/_sim/telegram/messages')).filter((x) => x.chat_id === '4242')
    return m.length === 1 && m[0].edits === 1 && m[0].text.includes('was live for 1 h 00 min')
  }, 20_000, 'the summary edit')
}, 60_000)

test('telegram: a bot blocked by the user marks the channel broken', async () => {
  const bot = await simJson<{ token: string }>(h, '/_sim/telegram/bots', { method: 'POST', body: JSON.stringify({ chat_ids: [77] }) })
  await simJson(h, '/_sim/telegram/block', { method: 'POST', body: JSON.stringify({ token: bot.token, chat_id: 77 }) })
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'telegram', name: 'blocked', config: { bot_token: bot.token, chat_id: '77', api_url: h.simUrl } })
  const t = await h.n('channelsTest', { actor: ADMIN_ACTOR, id: channel.id })
  expect(t.ok).toBe(false)
  expect(t.provider_status).toBe(403)
  expect(t.provider_answer).toContain('bot was blocked by the user')
  expect((await h.n('channelsGet', { actor: ADMIN_ACTOR, id: channel.id })).broken).toBe(true)
}, 30_000)

test('ntfy: title, priority, tags and click; the end replaces the notification (same sequence id)', async () => {
  await simJson(h, '/_sim/ntfy/protect', { method: 'POST', body: JSON.stringify({ topic: 'kick-alerts', token: 'tk_secret123' }) })
  const { channel } = await h.n('channelsCreate', {
    actor: ADMIN_ACTOR, type: 'ntfy', name: 'phone',
    config: { server_url: h.simUrl, topic: 'kick-alerts', token: 'tk_secret123', priority: 4, tags: ['tv'] },
  })
  expect(channel.config.token).toBe('********')
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['november'], events: ['online', 'offline'] })
  const started = ago(600)
  await h.publish(h.online('november', started))
  await h.publish(h.offline('november', started))
  const notes = await eventually(async () => {
    const r = (await received('ntfy')).filter((x) => x.target === 'kick-alerts' && x.status === 200)
    return r.length === 2 ? r : null
  }, 20_000, 'two ntfy publishes')
  expect(notes[0].body.title).toBe('NOVEMBER is live on Kick')
  expect(notes[0].body.priority).toBe(4)
  expect(notes[0].body.tags).toEqual(['tv', 'red_circle'])
  expect(notes[0].body.click).toBe('https://kick.example/november')
  expect(notes[1].kind).toBe('edit')
  expect(notes[1].body.sequence_id).toBe(notes[0].body.sequence_id)
  expect(notes[1].body.message).toContain('was live for 10 min')
}, 60_000)

test('slack: a message at go-live and a second one at the end; an archived channel is broken', async () => {
  const hook = await simJson<{ url: string }>(h, '/_sim/slack/hooks', { method: 'POST' })
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'slack', name: 'team', config: { webhook_url: hook.url } })
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['sierra'], events: ['online', 'offline'], cooldown_s: 0 })
  const started = ago(120)
  await h.publish(h.online('sierra', started))
  await h.publish(h.offline('sierra', started))
  const hookId = new URL(hook.url).pathname.split('/')[3]
  const posts = await eventually(async () => {
    const r = (await received('slack')).filter((x) => x.target === hookId && x.status === 200)
    return r.length === 2 ? r : null
  }, 20_000, 'two Slack messages')
  expect(posts[0].body.text).toContain('<https://kick.example/sierra|SIERRA> is live on Kick')
  expect(posts[1].body.text).toContain('was live for 2 min')

  await simJson(h, '/_sim/slack/archive', { method: 'POST', body: JSON.stringify({ url: hook.url }) })
  await h.publish(h.online('sierra', ago(0)))
  await eventually(async () => (await h.n('channelsGet', { actor: ADMIN_ACTOR, id: channel.id })).broken, 20_000, 'broken after channel_is_archived')
}, 60_000)

test('webhook: Standard Webhooks signatures verify with the secret shown once; the id is stable across retries', async () => {
  const { channel, secret } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'webhook', name: 'mine', config: { url: `${h.simUrl}/_sim/receiver/hooky` } })
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
  expect(JSON.stringify(await h.n('channelsGet', { actor: ADMIN_ACTOR, id: channel.id }))).not.toContain(secret!.slice(6, 20))
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['whiskey'], events: ['online', 'offline', 'title'] })
  // The receiver fails the first attempt; the retry carries the same webhook-id.
  await simJson(h, '/_sim/receiver', { method: 'PUT', body: JSON.stringify({ name: 'hooky', status: 503 }) })
  const started = ago(30)
  await h.publish(h.online('whiskey', started, { viewers: 12, title: 'hello' }))
  await eventually(async () => (await received('receiver')).some((x) => x.target === 'hooky'), 10_000, 'the first (failed) attempt')
  await simJson(h, '/_sim/receiver', { method: 'PUT', body: JSON.stringify({ name: 'hooky', status: 200 }) })
  const got = await eventually(async () => {
    const r = (await received('receiver')).filter((x) => x.target === 'hooky')
    return r.some((x) => x.status === 200) ? r : null
  }, 30_000, 'the retried delivery')
  expect(new Set(got.map((x) => x.headers['webhook-id'])).size).toBe(1)
  const ok = got.find((x) => x.status === 200)
  const payload = new Webhook(secret!).verify(ok.body, ok.headers) as any
  expect(payload.type).toBe('stream.online')
  expect(payload.data.streamer).toEqual({ slug: 'whiskey', username: 'WHISKEY', url: 'https://kick.example/whiskey' })
  expect(payload.data.stream).toEqual({ started_at: started, title: 'hello', category: 'Just Chatting', viewers: 12 })
  // A tampered body fails verification (the signature covers it).
  expect(() => new Webhook(secret!).verify(ok.body.replace('hello', 'HELLO'), ok.headers)).toThrow()

  await h.publish(h.offline('whiskey', started))
  const end = await eventually(async () => (await received('receiver')).find((x) => x.target === 'hooky' && JSON.parse(x.body).type === 'stream.offline'), 20_000, 'stream.offline')
  const off = new Webhook(secret!).verify(end.body, end.headers) as any
  expect(off.data.summary.duration_s).toBeGreaterThanOrEqual(30)
}, 60_000)

test('a rule template renders with Liquid; one that fails at send time falls back to the default and says so', async () => {
  const hook = await simJson<{ url: string }>(h, '/_sim/slack/hooks', { method: 'POST' })
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'slack', name: 'tpl', config: { webhook_url: hook.url } })
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['tpl-a'], events: ['online'], template: 'GO {{ streamer.username | downcase }} ({{ stream.viewers }})' })
  // Parses, but runs out of its memory budget when rendered.
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['tpl-b'], events: ['online'], template: '{% for i in (1..100000000) %}{{ i }}{% endfor %}' })
  await h.publish(h.online('tpl-a', ago(0), { viewers: 5 }))
  await h.publish(h.online('tpl-b', ago(0)))
  const hookId = new URL(hook.url).pathname.split('/')[3]
  const posts = await eventually(async () => {
    const r = (await received('slack')).filter((x) => x.target === hookId)
    return r.length === 2 ? r : null
  }, 20_000, 'two templated messages')
  const texts = posts.map((p) => p.body.text as string)
  expect(texts).toContain('GO tpl-a (5)')
  expect(texts.find((t) => t.includes('TPL-B'))).toContain('TPL-B> is live on Kick')
  // The log row is finished after the provider answered, so it may trail the message by a moment.
  const logged = await eventually(async () => {
    const d = (await h.n('deliveriesList', { actor: ADMIN_ACTOR, channel_id: channel.id })).deliveries.find((x) => x.slug === 'tpl-b')
    return d?.note ? d : null
  }, 10_000, 'the tpl-b delivery logged with its note')
  expect(logged.note).toContain('the template failed')
}, 60_000)
