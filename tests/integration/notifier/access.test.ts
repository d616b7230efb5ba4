import { afterAll, beforeAll, expect, test } from 'bun:test'
import { eventually } from '../../harness/services.ts'
import { ADMIN_ACTOR, discordHook, simJson, startNotifierHarnessRunning, type NotifierHarness } from './harness.ts'

// Who may do what, and what bad input answers: every role manages its own channels and rules
// for the streamers it can see; admins see all; read-only keys change nothing; every invalid
// config, rule or template is a 4xx naming the field.

let h: NotifierHarness
beforeAll(async () => void (h = await startNotifierHarnessRunning()), 120_000)
afterAll(() => h?.stop())

const as = async (role: 'admin' | 'user' | 'viewer') => {
  const u = await h.user(role)
  return { u, actor: { session: (await h.session(u)).token } }
}

test('each user sees only their own channels; admins see all; others get 404 for someone else’s', async () => {
  const alice = await as('user')
  const bob = await as('viewer') // viewers manage their own alerts too
  const admin = await as('admin')
  const hook = await discordHook(h)
  const a = (await h.n('channelsCreate', { actor: alice.actor, type: 'discord', name: 'alice', config: { webhook_url: hook.url } })).channel
  const b = (await h.n('channelsCreate', { actor: bob.actor, type: 'discord', name: 'bob', config: { webhook_url: hook.url } })).channel
  expect(a.owner_id).toBe(alice.u.id)
  expect((await h.n('channelsList', { actor: alice.actor })).channels.map((c) => c.id)).toEqual([a.id])
  expect((await h.n('channelsList', { actor: bob.actor })).channels.map((c) => c.id)).toEqual([b.id])
  const all = (await h.n('channelsList', { actor: admin.actor })).channels.map((c) => c.id)
  expect(all).toContain(a.id)
  expect(all).toContain(b.id)
  expect((await h.nfail('channelsGet', { actor: bob.actor, id: a.id })).code).toBe('NOT_FOUND')
  expect((await h.nfail('channelsDelete', { actor: bob.actor, id: a.id })).code).toBe('NOT_FOUND')
  expect((await h.nfail('channelsTest', { actor: bob.actor, id: a.id })).code).toBe('NOT_FOUND')
  expect((await h.nfail('rulesCreate', { actor: bob.actor, channel_id: a.id, streamers: '*', events: ['online'] })).code).toBe('NOT_FOUND')
  expect((await h.n('channelsUpdate', { actor: admin.actor, id: a.id, name: 'renamed by admin' })).name).toBe('renamed by admin')
}, 60_000)

test('a read-only API key lists but changes nothing', async () => {
  const { u } = await as('user')
  const key = await h.apiKey(u, 'read')
  const actor = { api_key: key.key }
  expect((await h.n('channelsList', { actor })).channels).toEqual([])
  const e = await h.nfail('channelsCreate', { actor, type: 'webhook', name: 'x', config: { url: 'https://example.com/hook' } })
  expect(e.code).toBe('FORBIDDEN')
}, 30_000)

test('rules only name streamers the caller can see; their alerts stop when the assignment goes', async () => {
  const { u, actor } = await as('viewer')
  await h.db.sql`insert into user_streamers (user_id, slug) values (${u.id}, 'mine')`
  const hook = await discordHook(h)
  const { channel } = await h.n('channelsCreate', { actor, type: 'discord', name: 'v', config: { webhook_url: hook.url } })
  const e = await h.nfail('rulesCreate', { actor, channel_id: channel.id, streamers: ['mine', 'theirs'], events: ['online'] })
  expect(e.code).toBe('VALIDATION')
  expect(e.message).toBe('streamers: not among the streamers you can see: theirs')
  await h.n('rulesCreate', { actor, channel_id: channel.id, streamers: '*', events: ['online'] })
  await h.publish(h.online('theirs', new Date().toISOString()))
  await h.publish(h.online('mine', new Date().toISOString()))
  await eventually(async () => (await simJson<any[]>(h, '/_sim/discord/messages')).some((m) => m.webhook_id === hook.id), 15_000, 'the alert for mine')
  await Bun.sleep(500)
  const sent = (await simJson<any[]>(h, '/_sim/discord/messages')).filter((m) => m.webhook_id === hook.id)
  expect(sent.map((m) => m.embeds[0].title)).toEqual(['MINE is live on Kick'])
}, 60_000)

test('every invalid channel config, rule or template is a 4xx naming the field', async () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['channelsCreate', { type: 'discord', name: 'x', config: { webhook_url: 'ftp://discord.com/api/webhooks/1/x' } }, /^config\.webhook_url: /],
    ['channelsCreate', { type: 'discord', name: 'x', config: { webhook_url: 'https://discord.com/not-a-webhook' } }, /^config\.webhook_url: webhook_url must be a Discord webhook URL/],
    ['channelsCreate', { type: 'discord', name: 'x', config: { webhook_url: 'https://evil.example/api/webhooks/1/abc' } }, /^config\.webhook_url: must point at discord\.com/],
    ['channelsCreate', { type: 'discord', name: 'x', config: { webhook_url: 'https://discord.com/api/webhooks/1/abc', update_every_s: 5 } }, /^config\.update_every_s: /],
    ['channelsCreate', { type: 'telegram', name: 'x', config: { bot_token: 'nope', chat_id: 1 } }, /^config\.bot_token: /],
    ['channelsCreate', { type: 'telegram', name: 'x', config: { bot_token: '123:AAAAAAAAAAAAAAAAAAAAAAAA' } }, /^config\.chat_id: /],
    ['channelsCreate', { type: 'ntfy', name: 'x', config: { topic: 'has space' } }, /^config\.topic: /],
    ['channelsCreate', { type: 'slack', name: 'x', config: { webhook_url: 'https://hooks.slack.com/services/T1/B2/c3', extra: 1 } }, /^config: Unrecognized key/],
    ['channelsCreate', { type: 'webhook', name: 'x', config: { url: 'http://10.0.0.5/hook' } }, /^config\.url: points at a private/],
    ['channelsCreate', { type: 'email', name: 'x', config: { to: 'a@b.example' } }, /^type: email needs SMTP_URL/],
    ['channelsCreate', { type: 'pager', name: 'x', config: {} }, /^type: /],
    ['channelsCreate', { type: 'webhook', name: '', config: { url: 'https://example.com/h' } }, /^name: name must not be empty/],
  ]
  for (const [name, body, re] of bad) {
    const e = await h.nfail(name as 'channelsCreate', { actor: ADMIN_ACTOR, ...body })
    expect([e.status, e.message]).toEqual([422, expect.stringMatching(re)])
  }
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'webhook', name: 'w', config: { url: 'https://example.com/h' } })
  const { channel: slack } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'slack', name: 's', config: { webhook_url: 'https://hooks.slack.com/services/T1/B2/c3' } })
  const badRules: [Record<string, unknown>, RegExp][] = [
    [{ channel_id: slack.id, streamers: '*', events: [] }, /^events: /],
    [{ channel_id: slack.id, streamers: '*', events: ['live'] }, /^events\.0: /],
    [{ channel_id: slack.id, streamers: [], events: ['online'] }, /^streamers: /],
    [{ channel_id: slack.id, streamers: ['Not A Slug!'], events: ['online'] }, /^streamers/],
    [{ channel_id: slack.id, streamers: '*', events: ['online'], cooldown_s: -1 }, /^cooldown_s: /],
    [{ channel_id: slack.id, streamers: '*', events: ['online'], min_viewers: 1.5 }, /^min_viewers: /],
    [{ channel_id: slack.id, streamers: '*', events: ['online'], template: '{% if %}' }, /^template: /],
    [{ channel_id: slack.id, streamers: '*', events: ['online'], template: '{{ x | no_such_filter }}' }, /^template: undefined filter/],
    [{ channel_id: channel.id, streamers: '*', events: ['online'], template: 'hi' }, /^template: webhook channels send a fixed JSON payload/],
  ]
  for (const [body, re] of badRules) {
    const e = await h.nfail('rulesCreate', { actor: ADMIN_ACTOR, ...body })
    expect([e.status, e.message]).toEqual([422, expect.stringMatching(re)])
  }
  expect((await h.nfail('rulesCreate', { actor: ADMIN_ACTOR, channel_id: 999999, streamers: '*', events: ['online'] })).status).toBe(404)
  // Nothing half-written: no rule exists after all those refusals.
  expect((await h.n('rulesList', { actor: ADMIN_ACTOR, channel_id: slack.id })).rules).toEqual([])
}, 60_000)

test('the preview renders a template against a sample, or says why it cannot', async () => {
  const p = await h.n('templatesPreview', { actor: ADMIN_ACTOR, channel_type: 'discord', event_type: 'offline', template: '{{ streamer.username }} ended after {{ summary.duration }} (peak {{ summary.peak_viewers }})' })
  expect(p).toEqual({ text: 'SampleStreamer ended after 2 h 05 min (peak 2480)', used_default: false, error: null })
  const d = await h.n('templatesPreview', { actor: ADMIN_ACTOR, channel_type: 'telegram', event_type: 'online' })
  expect(d.used_default).toBe(true)
  expect(d.text).toContain('SampleStreamer is live on Kick: Speedrunning with chat')
  expect((await h.nfail('templatesPreview', { actor: ADMIN_ACTOR, channel_type: 'slack', template: '{% for %}' })).status).toBe(422)
}, 30_000)

test('malformed requests are refused with 4xx, never answered as success', async () => {
  expect((await h.nfail('channelsList', {})).status).toBe(422)
  expect((await h.nfail('channelsGet', { actor: ADMIN_ACTOR, id: 'one' })).status).toBe(422)
  expect((await h.nfail('channelsList', { actor: { session: 'forged' } })).status).toBe(401)
}, 30_000)
