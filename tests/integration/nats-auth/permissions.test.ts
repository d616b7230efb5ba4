import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { connect, createInbox, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node'
import { createUser } from '@nats-io/nkeys'
import { AuthApi } from '../../../shared/src/contracts/auth.ts'
import { adminSubject, AuthInternalApi } from '../../../shared/src/contracts/auth-internal.ts'
import { AppError } from '../../../shared/src/errors.ts'
import { request } from '../../../shared/src/rpc.ts'
import { EVENTS_STREAM, STATUS_BUCKET, subjects } from '../../../shared/src/contracts/names.ts'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { PublicApi } from '../../../shared/src/contracts/public.ts'
import { startAuth } from '../../../services/auth/src/app.ts'
import { AuthConfigSchema } from '../../../services/auth/src/config.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { connectAs } from '../../harness/nats-auth.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import { parseEnv } from '../../../shared/src/parse-env.ts'

// The shipped permissions (deploy/nats/permissions.ts) as nats-server enforces them, with the
// real poller and auth: what an outsider with the `subscriber` identity can and cannot do, and
// what a compromised gateway cannot do.

let env: TestEnv
let auth: Awaited<ReturnType<typeof inProcess>>
let poller: Awaited<ReturnType<typeof inProcess>>
let subscriber: NatsConnection
let gateway: NatsConnection
let slug: string
const since = new Date(Date.now() - 1000).toISOString()

/** The AppError a promise rejects with. */
async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(() => null, (err) => err)
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${e}`)
  return e
}

beforeAll(async () => {
  env = await testEnv({ channels: 3 })
  const config = env.config({ KICK_WEBHOOKS: 'off' })
  auth = await inProcess('auth', config, (ctx) => startAuth({ ...ctx, config: parseEnv(AuthConfigSchema, { ...process.env, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])) }) }))
  poller = await inProcess('poller', config, (ctx) => startPoller(ctx))
  subscriber = await connectAs(env.nats, 'subscriber')
  gateway = await connectAs(env.nats, 'gateway')
  slug = env.sim.world.list()[0]!.slug
  env.sim.world.update(slug, { live: false })
  await request(poller.client, PollerApi.add.subject, { slug }, PollerApi.add.output, { timeout: 15_000 })
}, 60_000)

afterAll(async () => {
  await subscriber?.close()
  await gateway?.close()
  await poller?.stop()
  await auth?.stop()
  await env?.destroy()
})

describe('connections', () => {
  test('an anonymous connection is refused', async () => {
    await expect(connect({ servers: env.nats.url, reconnect: false })).rejects.toThrow(/authorization/i)
  })

  test('an nkey nats-server does not know is refused', async () => {
    const stranger = nkeyAuthenticator(createUser().getSeed())
    await expect(connect({ servers: env.nats.url, authenticator: stranger, reconnect: false })).rejects.toThrow(/authorization/i)
  })
})

describe('subscriber (read-only, for outsiders)', () => {
  test('receives kick.status, reads and watches the kick-status bucket, and replays KICK_EVENTS from a time', async () => {
    const statuses: string[] = []
    subscriber.subscribe('kick.status.>', { callback: (_e, m) => void statuses.push(m.subject) })
    const kv = await new Kvm(subscriber).open(STATUS_BUCKET)
    const watched: string[] = []
    const watch = await kv.watch()
    void (async () => {
      for await (const e of watch) watched.push(e.key)
    })()
    await subscriber.flush()

    env.sim.world.update(slug, { live: true, viewers: 321 })
    await eventually(() => statuses.includes(subjects.status(slug)), 15_000, 'kick.status for the subscriber')
    await eventually(async () => (await kv.get(slug))?.json<{ live: boolean }>().live, 10_000, 'the live status in the KV')
    await eventually(() => watched.includes(slug), 10_000, 'the KV watch')
    watch.stop()

    // Its own durable consumer, from a time: the online event, acknowledged, then nothing again.
    const jsm = await jetstreamManager(subscriber)
    await jsm.consumers.add(EVENTS_STREAM, { durable_name: 'outsider', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.StartTime, opt_start_time: since })
    const consumer = await jetstream(subscriber).consumers.get(EVENTS_STREAM, 'outsider')
    const got = await eventually(async () => {
      const m = await consumer.next({ expires: 1000 })
      if (!m) return null
      m.ack()
      return m.subject
    }, 15_000, 'the replayed online event')
    expect(got).toBe(subjects.event(slug, 'online'))
    await jsm.consumers.delete(EVENTS_STREAM, 'outsider')
  }, 60_000)

  test('cannot publish a status or an event: nats-server drops it and no one sees it', async () => {
    const seen: string[] = []
    const sub = poller.client.subscribe('kick.status.fake', { callback: (_e, m) => void seen.push(m.string()) })
    await poller.client.flush()
    const errors: string[] = []
    void (async () => {
      for await (const s of subscriber.status()) if (s.type === 'error') errors.push(String(s.error.message))
    })()
    subscriber.publish('kick.status.fake', JSON.stringify({ slug: 'fake', live: true }))
    subscriber.publish('kick.events.fake.online', '{}')
    await eventually(() => errors.some((e) => /Permissions Violation for Publish to "kick.status.fake"/.test(e)), 5_000, 'the refusal')
    await Bun.sleep(200)
    expect(seen).toEqual([])
    sub.unsubscribe()
    expect(subscriber.isClosed()).toBe(false) // refused, not disconnected
  })

  test('cannot call auth or the poller', async () => {
    for (const [subject, body] of [
      [AuthApi.login.subject, { username: 'admin', password: 'x' }],
      [AuthApi.usersList.subject, { actor: { system: 'cli' } }],
      [adminSubject(AuthApi.configGet.subject), { actor: { system: 'cli' }, key: 'KICK_CLIENT_SECRET', reveal: true }],
      [AuthInternalApi.kickClientSecret.subject, {}],
      [PollerApi.list.subject, {}],
      [PollerApi.remove.subject, { slug }],
    ] as const) {
      const e = await refusal(request(subscriber, subject, body, AuthApi.login.output, { timeout: 2000 }))
      expect([subject, e.code, e.message]).toEqual([subject, 'FORBIDDEN', `NATS does not let this identity call ${subject}`])
    }
    // And nothing happened: the streamer is still monitored.
    expect((await request(poller.client, PollerApi.get.subject, { slug }, PollerApi.get.output)).slug).toBe(slug)
  })

  test('cannot subscribe to auth, the poller, or another identity’s replies', async () => {
    for (const subject of ['auth.>', 'poller.>', 'kickmon.auth.>', '_INBOX_gateway.>', '$KV.kickmon-pollers.>', '>']) {
      const sub = subscriber.subscribe(subject)
      const done = sub.closed.then((v) => (v instanceof Error ? v.message : 'closed without an error'), (e: Error) => e.message)
      await expect(done).resolves.toMatch(/Permissions Violation for Subscription/)
    }
  })

  test('cannot read other buckets or touch the poller’s consumer', async () => {
    await expect((await new Kvm(subscriber).open('kickmon-pollers')).get('poller-1')).rejects.toThrow(/permission/i)
    await expect((await new Kvm(subscriber).open('kickmon-pollers')).put('poller-1', '{}')).rejects.toThrow(/permission/i)
    const jsm = await jetstreamManager(subscriber)
    await expect(jsm.consumers.info(EVENTS_STREAM, 'poller-recorder')).rejects.toThrow(/permission/i)
    await expect(jsm.consumers.delete(EVENTS_STREAM, 'poller-recorder')).rejects.toThrow(/permission/i)
    await expect(jsm.streams.purge(EVENTS_STREAM)).rejects.toThrow(/permission/i)
    // Nor through the consumer-create form whose subject does not name the consumer.
    const takeover = { stream_name: EVENTS_STREAM, config: { durable_name: 'poller-recorder', ack_policy: 'explicit', max_ack_pending: 1 } }
    await expect(subscriber.request(`$JS.API.CONSUMER.CREATE.${EVENTS_STREAM}`, JSON.stringify(takeover), { timeout: 2000 })).rejects.toThrow(/permission/i)
    await expect(jsm.streams.delete(EVENTS_STREAM)).rejects.toThrow(/permission/i)
    // Still there, untouched.
    const recorder = await (await jetstreamManager(poller.client)).consumers.info(EVENTS_STREAM, 'poller-recorder')
    expect(recorder.config.max_ack_pending).not.toBe(1)
    const info = await (await jetstreamManager(poller.client)).streams.info(EVENTS_STREAM)
    expect(info.state.messages).toBeGreaterThan(0)
  }, 30_000)

  test('a bad request on a subject it may use is answered with an error and changes nothing', async () => {
    const jsm = await jetstreamManager(poller.client)
    const before = { consumers: (await jsm.consumers.list(EVENTS_STREAM).next()).map((c) => c.name).sort(), messages: (await jsm.streams.info(EVENTS_STREAM)).state.messages }
    for (const body of ['not json', '{"stream_name":"KICK_EVENTS","config":{"durable_name":"x","ack_policy":"sometimes"}}', '{"stream_name":"OTHER","config":{}}']) {
      const reply = (await subscriber.request(`$JS.API.CONSUMER.CREATE.${EVENTS_STREAM}.x.kick.events.>`, body, { timeout: 2000 })).json<{ error?: { code: number } }>()
      expect(reply.error?.code, body).toBeGreaterThanOrEqual(400)
    }
    const after = { consumers: (await jsm.consumers.list(EVENTS_STREAM).next()).map((c) => c.name).sort(), messages: (await jsm.streams.info(EVENTS_STREAM)).state.messages }
    expect(after).toEqual(before)
  })
})

describe('a compromised gateway', () => {
  test('cannot reveal a secret or create a user as the system, on either subject', async () => {
    const system = { system: 'gateway' }
    await request(poller.client, adminSubject(AuthApi.configSet.subject), { actor: { system: 'cli' }, key: 'KICK_CLIENT_SECRET', value: 'very-secret-value', encrypt: true }, AuthApi.configSet.output)
    // auth.admin.* is closed to it by nats-server…
    for (const [subject, body] of [
      [adminSubject(AuthApi.configGet.subject), { actor: system, key: 'KICK_CLIENT_SECRET', reveal: true }],
      [adminSubject(AuthApi.usersCreate.subject), { actor: system, username: 'mallory', password: 'mallory-password', role: 'admin' }],
      [AuthInternalApi.kickClientSecret.subject, {}],
    ] as const) {
      const e = await refusal(request(gateway, subject, body, AuthApi.configGet.output, { timeout: 2000 }))
      expect([subject, e.code]).toEqual([subject, 'FORBIDDEN'])
      expect(e.message).toStartWith('NATS does not let this identity call')
    }
    // …and on the public subjects auth refuses a system actor.
    const reveal = await refusal(request(gateway, AuthApi.configGet.subject, { actor: system, key: 'KICK_CLIENT_SECRET', reveal: true }, AuthApi.configGet.output))
    expect([reveal.code, reveal.message]).toEqual(['FORBIDDEN', "system actors are accepted only on auth.admin.config.get, which only the operator's NATS identity may use"])
    const create = await refusal(request(gateway, AuthApi.usersCreate.subject, { actor: system, username: 'mallory', password: 'mallory-password', role: 'admin' }, AuthApi.usersCreate.output))
    expect(create.code).toBe('FORBIDDEN')
    expect((await env.db.sql`select 1 from users where username = 'mallory'`).length).toBe(0)
  })

  test('keeps what it needs: logins, session re-checks, $SRV discovery', async () => {
    const login = await request(gateway, AuthApi.login.subject, { username: 'admin', password: 'correct horse battery' }, AuthApi.login.output)
    const live = await request(gateway, AuthInternalApi.sessionsLive.subject, { user_id: login.user.id }, AuthInternalApi.sessionsLive.output)
    expect(live.session_ids.length).toBeGreaterThan(0)
    const inbox = createInbox('_INBOX_gateway')
    const names: string[] = []
    const sub = gateway.subscribe(inbox, { callback: (_e, m) => void names.push(m.json<{ name: string }>().name) })
    gateway.publish('$SRV.PING', '', { reply: inbox })
    await eventually(() => names.includes('auth') && names.includes('poller'), 5_000, 'both services answering $SRV.PING')
    sub.unsubscribe()
  })

  test('answers only into our identities’ inboxes: it cannot put a message in an outsider’s inbox', async () => {
    const seen: string[] = []
    const sub = subscriber.subscribe('_INBOX.>', { callback: (_e, m) => void seen.push(m.subject) })
    await subscriber.flush()
    const errors: string[] = []
    void (async () => {
      for await (const s of gateway.status()) if (s.type === 'error') errors.push(String(s.error.message))
    })()
    gateway.publish('_INBOX.someone.1', 'a forged reply')
    await eventually(() => errors.some((e) => /Permissions Violation for Publish to "_INBOX.someone.1"/.test(e)), 5_000, 'the refusal')
    await subscriber.flush()
    expect(seen).toEqual([])
    sub.unsubscribe()
  })

  test('reads status pages and checks share links for anonymous visitors, but defines no page as the system', async () => {
    expect((await request(gateway, PublicApi.publicPages.subject, {}, PublicApi.publicPages.output)).pages).toEqual([])
    const link = await refusal(request(gateway, PublicApi.publicShare.subject, { id: crypto.randomUUID() }, PublicApi.publicShare.output))
    expect([link.code, link.message]).toEqual(['NOT_FOUND', 'this link has expired'])
    const page = { slug: 'mallory', title: 'M', streamers: ['x'], show_viewers: true, show_history: true }
    const closed = await refusal(request(gateway, adminSubject(PublicApi.pagesCreate.subject), { actor: { system: 'gateway' }, page }, PublicApi.pagesCreate.output, { timeout: 2000 }))
    expect(closed.message).toStartWith('NATS does not let this identity call')
    const refused = await refusal(request(gateway, PublicApi.pagesCreate.subject, { actor: { system: 'gateway' }, page }, PublicApi.pagesCreate.output))
    expect(refused.code).toBe('FORBIDDEN')
    expect((await env.db.sql`select 1 from public_pages`).length).toBe(0)
  })
})

describe('the operator', () => {
  test('acts as the system on auth.admin.*', async () => {
    const e = await request(poller.client, adminSubject(AuthApi.configGet.subject), { actor: { system: 'cli' }, key: 'KICK_CLIENT_SECRET', reveal: true }, AuthApi.configGet.output)
    expect(e.value).toBe('very-secret-value')
  })
})
