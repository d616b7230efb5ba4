import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Kvm } from '@nats-io/kv'
import { z } from 'zod'
import { StreamerStatus } from '../../../shared/src/contracts/status.ts'
import { request } from '../../../shared/src/rpc.ts'
import { subjects } from '../../../shared/src/contracts/names.ts'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { eventually } from '../../harness/services.ts'
import { watchedPoller, type WatchedPoller } from './poller-kit.ts'

describe('poller: polling path against kick-sim, real PostgreSQL and NATS', () => {
  let { env, poller, seen, slug, stop } = {} as WatchedPoller
  beforeAll(async () => void ({ env, poller, seen, slug, stop } = await watchedPoller()))
  afterAll(() => stop?.())

  const nc = () => poller.client
  const AddResult = z.object({ created: z.boolean(), status: StreamerStatus })

  test('adding a slug Kick does not know fails clearly; a real one is resolved to its user id', async () => {
    await expect(request(nc(), PollerApi.add.subject, { slug: 'no-such-channel' }, AddResult)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Kick has no channel named "no-such-channel"' })
    await expect(request(nc(), PollerApi.add.subject, { slug: 'Not A Slug!' }, AddResult)).rejects.toMatchObject({ code: 'VALIDATION' })
    const r = await request(nc(), PollerApi.add.subject, { slug }, AddResult, { timeout: 10_000 })
    expect(r.created).toBe(true)
    expect(r.status.kick_user_id).toBe(env.sim.world.get(slug)!.user_id)
    const again = await request(nc(), PollerApi.add.subject, { slug }, AddResult)
    expect(again.created).toBe(false)
  })

  test('going live is published on kick.status, kept in the KV and recorded once in PostgreSQL', async () => {
    env.sim.world.update(slug, { live: true, viewers: 4321, title: 'first stream' })
    const live = await eventually(() => seen.findLast((s) => s.slug === slug && s.live), 5000, 'a live status')
    expect(live).toMatchObject({ viewers: 4321, title: 'first stream', source: 'api', stale: false })
    const kv = await new Kvm(nc()).open('kick-status')
    await eventually(async () => (await kv.get(slug))?.json<StreamerStatus>().live === true, 5000, 'the KV to say live')
    const rows = await eventually(async () => {
      const r = await env.db.sql`select e.type, e.id from status_events e join streamers s on s.id = e.streamer_id where s.slug = ${slug}`
      return r.length ? r : null
    }, 5000, 'the online event in PostgreSQL')
    expect(rows.map((r) => r.type)).toEqual(['online'])
    const [session] = await eventually(async () => {
      const r = await env.db.sql`select ss.* from stream_sessions ss join streamers s on s.id = ss.streamer_id where s.slug = ${slug}`
      return r.length && r[0]!.peak_viewers > 0 ? r : null
    }, 5000, 'a stream session with samples')
    expect(session!.peak_viewers).toBe(4321)
  })

  test('viewer changes are sampled; going offline waits for the grace window and ends the session', async () => {
    env.sim.world.update(slug, { viewers: 5000 })
    await eventually(() => seen.findLast((s) => s.slug === slug)?.viewers === 5000, 5000, 'viewers 5000')
    env.sim.world.update(slug, { live: false })
    const t0 = Date.now()
    await eventually(() => seen.findLast((s) => s.slug === slug)?.live === false, 8000, 'offline')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500) // OFFLINE_GRACE_S=2 minus a poll's head start
    await eventually(async () => {
      const r = await env.db.sql`select type from status_events e join streamers s on s.id = e.streamer_id where s.slug = ${slug} order by at`
      return r.map((x) => x.type).join() === 'online,offline'
    }, 5000, 'online,offline recorded')
    const [s] = await env.db.sql`select ss.ended_at, ss.peak_viewers, ss.viewer_seconds from stream_sessions ss join streamers st on st.id = ss.streamer_id where st.slug = ${slug}`
    expect(s!.ended_at).not.toBeNull()
    expect(s!.peak_viewers).toBe(5000)
    expect(s!.viewer_seconds).toBeGreaterThan(0)
    const samples = await env.db.sql`select count(*)::int as n from viewer_samples v join streamers s on s.id = v.streamer_id where s.slug = ${slug}`
    expect(samples[0]!.n).toBeGreaterThanOrEqual(2)
  })

  test('the simulator going away makes streamers stale, and they recover by themselves', async () => {
    env.sim.faults.set({ errorRate: 1 })
    await eventually(() => seen.findLast((s) => s.slug === slug)?.stale === true, 8000, 'stale')
    env.sim.faults.set({})
    await eventually(() => seen.findLast((s) => s.slug === slug)?.stale === false, 8000, 'fresh again')
  })

  test('removing a streamer stops monitoring it and archives it: its row and samples stay', async () => {
    const removed: string[] = []
    nc().subscribe(subjects.streamerRemoved, { callback: (_e, m) => void removed.push((m.json() as { slug: string }).slug) })
    const [before] = await env.db.sql`select s.id, (select count(*)::int from viewer_samples v where v.streamer_id = s.id) as samples from streamers s where slug = ${slug}`
    expect(before!.samples).toBeGreaterThan(0)
    await request(nc(), PollerApi.remove.subject, { slug }, z.unknown())
    await eventually(() => removed.includes(slug), 3000, 'removal notice')
    const [after] = await env.db.sql`select s.id, archived_at is not null as archived, (select count(*)::int from viewer_samples v where v.streamer_id = s.id) as samples from streamers s where slug = ${slug}`
    expect(after).toMatchObject({ id: before!.id, archived: true })
    expect(after!.samples).toBeGreaterThanOrEqual(before!.samples)
    await expect(request(nc(), PollerApi.get.subject, { slug }, StreamerStatus)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
