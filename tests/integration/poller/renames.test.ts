import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import { history, watchStatuses } from './faults-kit.ts'
import type { InProcessPoller } from './poller-kit.ts'

// Kick renames a channel (new slug, same user id) or loses one (the id is gone): the poller keeps
// following the broadcaster under the slug it was added with, and re-resolves a lost id by slug.
describe('poller: renamed and lost channels against kick-sim, real PostgreSQL and NATS', () => {
  let env: TestEnv
  let poller: InProcessPoller
  let statuses: ReturnType<typeof watchStatuses>
  let slugs: string[]

  beforeAll(async () => {
    env = await testEnv({ channels: 6 })
    // Metadata every second, so /channels by id (renames of offline channels, lost ids) is seen quickly.
    poller = await inProcess('poller', env.config(), (ctx) => startPoller(ctx, { metadataIntervalMs: 1000 }))
    statuses = watchStatuses(poller.client)
    slugs = env.sim.world.list().map((c) => c.slug)
    for (const s of slugs) env.sim.world.update(s, { live: false })
  })
  afterAll(async () => {
    await poller?.stop()
    await env?.destroy()
  })

  const nc = () => poller.client
  const add = (slug: string) => request(nc(), PollerApi.add.subject, { slug }, PollerApi.add.output, { timeout: 10_000 })
  const profile = (slug: string) => request(nc(), PollerApi.profile.subject, { slug }, PollerApi.profile.output)
  const userIdInDb = async (slug: string) => {
    const [row] = await env.db.sql<{ id: string | null }[]>`select kick_user_id::text as id from streamers where slug = ${slug}`
    return row ? row.id : 'no row'
  }
  /** What a test author would do by hand: the kick-sim control API over HTTP. */
  const sim = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${env.simUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return (res.status === 204 ? null : await res.json()) as { slug: string; user_id: number }
  }

  test('a live channel renamed on Kick stays monitored under its slug, with one unbroken stream and the new slug recorded', async () => {
    const slug = slugs[0]!
    const userId = env.sim.world.get(slug)!.user_id
    env.sim.world.update(slug, { live: true, viewers: 1200, title: 'before the rename' })
    await add(slug)
    await eventually(() => statuses.last(slug)?.live, 8000, 'live before the rename')

    await sim('POST', `/_sim/channels/${slug}/rename`, { slug: 'renamed_one', username: 'Renamed_One' })
    await eventually(async () => (await profile(slug)).kick_slug === 'renamed_one', 10_000, 'the new slug in the profile')
    // Readings about the renamed channel still reach the streamer, under its old slug.
    env.sim.world.update('renamed_one', { viewers: 777, title: 'after the rename' })
    const after = await eventually(() => statuses.seen.find((s) => s.slug === slug && s.viewers === 777 && s.title === 'after the rename'), 8000, 'a reading after the rename')
    expect(after).toMatchObject({ live: true, kick_user_id: userId, stale: false })
    expect(statuses.seen.some((s) => s.slug === 'renamed_one')).toBe(false)

    // Someone else takes the old name on Kick: we keep following the broadcaster we had.
    await sim('POST', '/_sim/channels', { slug, live: true, viewers: 5, title: 'an impostor' })
    env.sim.world.update('renamed_one', { live: false })
    await eventually(() => statuses.last(slug)?.live === false, 10_000, 'offline when the renamed channel ends')
    expect(statuses.seen.some((s) => s.slug === slug && s.title === 'an impostor')).toBe(false)
    expect(await userIdInDb(slug)).toBe(String(userId))
    await eventually(async () => (await history(env.db.sql, slug)) === 'online,title,offline', 5000, 'one stream recorded across the rename')

    // The new slug names a broadcaster already monitored: adding it again is refused, clearly.
    await expect(add('renamed_one')).rejects.toMatchObject({ code: 'CONFLICT', message: `Kick channel "renamed_one" is already monitored as "${slug}" (renamed on Kick)` })
  })

  test('an offline channel renamed on Kick is noticed by the metadata refresh', async () => {
    const slug = slugs[1]!
    await add(slug)
    await eventually(async () => (await profile(slug)).status.kick_user_id !== null, 5000, 'resolved')
    expect((await profile(slug)).kick_slug).toBeNull()
    await sim('POST', `/_sim/channels/${slug}/rename`, { slug: 'quiet_rename' })
    await eventually(async () => (await profile(slug)).kick_slug === 'quiet_rename', 10_000, 'the new slug in the profile')
    const [row] = await env.db.sql`select kick_slug from streamers where slug = ${slug}`
    expect(row!.kick_slug).toBe('quiet_rename')
  })

  test("a user id Kick no longer has is re-resolved by slug: the slug's new owner is followed", async () => {
    const slug = slugs[2]!
    const oldUserId = env.sim.world.get(slug)!.user_id
    await add(slug)
    await eventually(async () => (await userIdInDb(slug)) === String(oldUserId), 5000, 'resolved')
    // The channel is deleted and a new broadcaster registers the free name.
    await sim('DELETE', `/_sim/channels/${slug}`)
    const newOwner = await sim('POST', '/_sim/channels', { slug, live: true, viewers: 55, title: 'new owner' })
    expect(newOwner.user_id).not.toBe(oldUserId)
    await eventually(async () => (await userIdInDb(slug)) === String(newOwner.user_id), 10_000, 'the new owner resolved')
    const live = await eventually(() => statuses.seen.find((s) => s.slug === slug && s.live && s.title === 'new owner'), 8000, "the new owner's stream")
    expect(live).toMatchObject({ kick_user_id: newOwner.user_id, viewers: 55 })
  })

  test('a channel deleted on Kick is forgotten and turns stale, and is found again once its slug exists', async () => {
    const slug = slugs[3]!
    await add(slug)
    await eventually(async () => (await userIdInDb(slug)) !== null, 5000, 'resolved')
    await sim('DELETE', `/_sim/channels/${slug}`)
    await eventually(async () => (await userIdInDb(slug)) === null, 10_000, 'the lost user id forgotten')
    // Nothing can read it now: its last known state, marked stale, not a made-up answer.
    const stale = await eventually(() => (statuses.last(slug)?.stale ? statuses.last(slug) : null), 10_000, 'stale')
    expect(stale.kick_user_id).toBeNull()
    const back = await sim('POST', '/_sim/channels', { slug, live: true, viewers: 42, title: 'back again' })
    await eventually(async () => (await userIdInDb(slug)) === String(back.user_id), 15_000, 'resolved again')
    const fresh = await eventually(() => statuses.seen.find((s) => s.slug === slug && s.title === 'back again' && !s.stale), 8000, 'fresh again')
    expect(fresh).toMatchObject({ live: true, viewers: 42, kick_user_id: back.user_id })
  })
})
