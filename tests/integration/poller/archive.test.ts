import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PollerApi, type PollerEndpointName, type PollerInput, type PollerOutput } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import type { InProcessPoller } from './poller-kit.ts'

// Removing a streamer archives it: monitoring stops and every row of its history stays
// (events, sessions, samples, profile); adding the slug again resumes the same row. Purge is
// the only way history goes, only for an archived streamer, all or nothing. Every claim is
// checked against PostgreSQL by id and row count.
describe('archive, resume and purge', () => {
  let env: TestEnv
  let poller: InProcessPoller
  let a: string, b: string
  const sql = () => env.db.sql

  const call = <K extends PollerEndpointName>(k: K, body: PollerInput<K> | Record<string, unknown>): Promise<PollerOutput<K>> =>
    request(poller.client, PollerApi[k].subject, body, PollerApi[k].output, { timeout: 15_000 }) as Promise<PollerOutput<K>>
  const idOf = async (slug: string) => (await sql()<{ id: number }[]>`select id from streamers where slug = ${slug}`)[0]?.id ?? null
  const counts = async (id: number) => {
    const [r] = await sql()<{ events: number; sessions: number; samples: number }[]>`
      select (select count(*)::int from status_events where streamer_id = ${id}) as events,
             (select count(*)::int from stream_sessions where streamer_id = ${id}) as sessions,
             (select count(*)::int from viewer_samples where streamer_id = ${id}) as samples`
    return r!
  }
  const eventsOf = async (id: number, type: string) =>
    (await sql()<{ n: number }[]>`select count(*)::int as n from status_events where streamer_id = ${id} and type = ${type}`)[0]!.n
  /** One whole stream: online, a few samples, offline, all in PostgreSQL. */
  const stream = async (slug: string, viewers: number) => {
    const id = (await idOf(slug))!
    const online = await eventsOf(id, 'online')
    const offline = await eventsOf(id, 'offline')
    env.sim.world.update(slug, { live: true, viewers })
    await eventually(async () => (await eventsOf(id, 'online')) > online && (await counts(id)).samples >= 2, 20_000, `${slug} online with samples`)
    env.sim.world.update(slug, { live: false })
    await eventually(async () => (await eventsOf(id, 'offline')) > offline, 20_000, `${slug} offline`)
  }

  beforeAll(async () => {
    env = await testEnv({ channels: 3 })
    poller = await inProcess('poller', env.config({ POLL_INTERVAL_S: '1', OFFLINE_GRACE_S: '1', KICK_WEBHOOKS: 'off' }), (ctx) => startPoller(ctx))
    ;[a, b] = env.sim.world.list().map((c) => c.slug) as [string, string]
    for (const s of [a, b]) env.sim.world.update(s, { live: false })
    await call('add', { slug: a })
    await call('add', { slug: b })
    await stream(a, 400)
    await stream(b, 90)
  }, 120_000)
  afterAll(async () => {
    await poller?.stop()
    await env?.destroy()
  })

  test('remove archives: the same row and every event, session and sample stay; monitoring stops', async () => {
    const id = (await idOf(a))!
    const before = await counts(id)
    expect(before.events).toBeGreaterThanOrEqual(2)
    expect(before.sessions).toBe(1)
    const r = await call('remove', { slug: a })
    expect(r.removed).toBe(a)
    const [row] = await sql()<{ id: number; archived_at: Date | null }[]>`select id, archived_at from streamers where slug = ${a}`
    expect(row!.id).toBe(id)
    expect(row!.archived_at?.toISOString()).toBe(r.archived_at!)
    expect(await counts(id)).toEqual(before)

    // Not monitored any more: not listed, not polled, nothing new recorded while it streams.
    expect((await call('list', {})).map((s) => s.slug)).toEqual([b])
    await expect(call('get', { slug: a })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    env.sim.world.update(a, { live: true, viewers: 777 })
    await eventually(async () => (await counts((await idOf(b))!)).samples > 0 && poller.result.loop.cycles > 0, 5000)
    const cycles = poller.result.loop.cycles
    await eventually(() => poller.result.loop.cycles >= cycles + 3, 15_000, 'three more poll cycles')
    expect(await counts(id)).toEqual(before)
    env.sim.world.update(a, { live: false })
    await expect(call('remove', { slug: a })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('not monitored') })
  }, 60_000)

  test('archived streamers are listed with their history counts, and their history is still readable', async () => {
    const id = (await idOf(a))!
    const c = await counts(id)
    const list = await call('archived', {})
    expect(list.map((s) => s.slug)).toEqual([a])
    expect(list[0]).toMatchObject({ slug: a, sessions: c.sessions, events: c.events })
    expect((await call('events', { slug: a })).length).toBe(c.events)
    expect((await call('sessions', { slug: a })).length).toBe(c.sessions)
    const profile = await call('profile', { slug: a })
    expect(profile.archived_at).toBe(list[0]!.archived_at)
    expect(profile.status.slug).toBe(a)
  })

  test('adding the slug again resumes the same streamer (same id, history kept) and monitoring goes on', async () => {
    const id = (await idOf(a))!
    const before = await counts(id)
    const r = await call('add', { slug: a })
    expect(r).toMatchObject({ created: false, resumed: true })
    const [row] = await sql()<{ id: number; archived_at: Date | null }[]>`select id, archived_at from streamers where slug = ${a}`
    expect(row).toEqual({ id, archived_at: null })
    expect((await sql()<{ n: number }[]>`select count(*)::int as n from streamers where slug = ${a}`)[0]!.n).toBe(1)
    expect((await call('list', {})).map((s) => s.slug).sort()).toEqual([a, b].sort())
    expect(await call('archived', {})).toEqual([])
    expect(await call('add', { slug: a })).toMatchObject({ created: false, resumed: false }) // already monitored again
    await stream(a, 250) // a new stream lands on the same row
    const after = await counts(id)
    expect(after.events).toBeGreaterThanOrEqual(before.events + 2)
    expect(after.sessions).toBe(before.sessions + 1)
    expect(after.samples).toBeGreaterThan(before.samples)
  }, 60_000)

  test('an archived channel renamed on Kick: its new slug is refused with a pointer, its own slug resumes it', async () => {
    const c = env.sim.world.list()[2]!.slug
    await call('add', { slug: c })
    const id = (await idOf(c))!
    await call('remove', { slug: c })
    const renamed = `${c.slice(0, 20)}-new`
    env.sim.world.rename(c, { slug: renamed })
    await expect(call('add', { slug: renamed })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`archived streamer "${c}"`) })
    expect(await idOf(renamed)).toBeNull()
    expect(await call('add', { slug: c })).toMatchObject({ created: false, resumed: true })
    const [row] = await sql()<{ id: number; kick_slug: string | null; archived_at: Date | null }[]>`select id, kick_slug, archived_at from streamers where slug = ${c}`
    expect(row).toEqual({ id, kick_slug: renamed, archived_at: null })
    await call('remove', { slug: c })
  }, 30_000)

  test('purge refuses a monitored streamer (409), an unknown one (404) and a malformed slug', async () => {
    const id = (await idOf(a))!
    const before = await counts(id)
    await expect(call('purge', { slug: a })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('remove it first') })
    await expect(call('purge', { slug: 'nobody-here' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(call('purge', { slug: 'Not A Slug' })).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(await counts(id)).toEqual(before)
  })

  test('a stray delete of a streamer row is refused while it has history', async () => {
    const id = (await idOf(b))!
    await expect(sql()`delete from streamers where id = ${id}`).rejects.toMatchObject({ code: '23503' }) // foreign key
    expect(await idOf(b)).toBe(id)
  })

  test('a purge that fails half-way leaves everything as it was', async () => {
    await call('remove', { slug: a })
    const id = (await idOf(a))!
    const before = await counts(id)
    // The last step (the streamer row) fails after its samples, sessions and events were deleted.
    await sql().unsafe(`create function refuse_purge() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$;
      create trigger refuse_purge before delete on streamers for each row execute function refuse_purge()`)
    try {
      await expect(call('purge', { slug: a })).rejects.toThrow()
    } finally {
      await sql().unsafe('drop trigger refuse_purge on streamers; drop function refuse_purge()')
    }
    expect(await counts(id)).toEqual(before)
    const [row] = await sql()<{ id: number; archived: boolean }[]>`select id, archived_at is not null as archived from streamers where slug = ${a}`
    expect(row).toEqual({ id, archived: true })
  })

  test('purge deletes exactly that streamer and its rows, nothing of anyone else; re-adding then starts afresh', async () => {
    const id = (await idOf(a))!
    const other = (await idOf(b))!
    const mine = await counts(id)
    const theirs = await counts(other)
    expect(mine.samples).toBeGreaterThan(0)
    const r = await call('purge', { slug: a })
    expect(r).toEqual({ purged: a, streamer_id: id, events: mine.events, sessions: mine.sessions, samples: mine.samples })
    expect(await idOf(a)).toBeNull()
    expect(await counts(id)).toEqual({ events: 0, sessions: 0, samples: 0 })
    expect(await counts(other)).toEqual(theirs)
    expect((await call('archived', {})).map((x) => x.slug)).not.toContain(a)
    await expect(call('events', { slug: a })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(call('purge', { slug: a })).rejects.toMatchObject({ code: 'NOT_FOUND' })

    const again = await call('add', { slug: a })
    expect(again).toMatchObject({ created: true, resumed: false })
    const fresh = (await idOf(a))!
    expect(fresh).not.toBe(id)
    expect(await counts(fresh)).toEqual({ events: 0, sessions: 0, samples: 0 })
  }, 30_000)
})
