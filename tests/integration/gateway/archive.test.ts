import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eventually } from '../../harness/services.ts'
import { startGatewayHarness, type Client, type GatewayHarness } from './harness.ts'

// Through the gateway, as an admin and a user would: removing archives (history browsable by
// admins, hidden from everyone else, assignments kept), re-adding resumes the same streamer
// with its assignments, and purge deletes exactly its rows and is audited with what it deleted.
describe('archived streamers through the API and pages', () => {
  let h: GatewayHarness
  let user: Client
  let slug: string
  const sql = () => h.env.db.sql
  const rows = async () => {
    const [r] = await sql()<{ id: number | null; archived: boolean | null; events: number; sessions: number; samples: number }[]>`
      select (select id from streamers where slug = ${slug}) as id,
             (select archived_at is not null from streamers where slug = ${slug}) as archived,
             (select count(*)::int from status_events e join streamers s on s.id = e.streamer_id where s.slug = ${slug}) as events,
             (select count(*)::int from stream_sessions ss join streamers s on s.id = ss.streamer_id where s.slug = ${slug}) as sessions,
             (select count(*)::int from viewer_samples v join streamers s on s.id = v.streamer_id where s.slug = ${slug}) as samples`
    return r!
  }
  const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any })
  const auditOf = async (action: string) =>
    ((await json(await h.admin.fetch(`/api/v1/audit?action=${action}&limit=50`))).body.items as { target: string; details: any }[]).filter((e) => e.target === `streamer:${slug}`)

  beforeAll(async () => {
    h = await startGatewayHarness({ channels: 4 })
    slug = h.slugs()[0]!
    h.env.sim.world.update(slug, { live: false })
    await h.monitor(slug)
    user = await h.user('user')
    await h.assign(user.id, [slug])
    // One whole stream in PostgreSQL: online, samples, offline.
    h.env.sim.world.update(slug, { live: true, viewers: 321 })
    await eventually(async () => (await rows()).samples >= 2 && (await rows()).sessions === 1, 20_000, 'a stream with samples')
    h.env.sim.world.update(slug, { live: false })
    await eventually(async () => (await sql()`select 1 from status_events e join streamers s on s.id = e.streamer_id where s.slug = ${slug} and e.type = 'offline'`).length, 20_000, 'offline recorded')
  }, 90_000)
  afterAll(async () => {
    await h?.stop()
  })

  test('an admin removes: the streamer is archived with every row, hidden from its assigned user, browsable by admins', async () => {
    const before = await rows()
    expect((await h.admin.fetch(`/api/v1/streamers/${slug}`, { method: 'DELETE' })).status).toBe(204)
    await eventually(() => !h.statuses.get(slug), 5000, 'the gateway to drop its status')
    expect(await rows()).toEqual({ ...before, archived: true })

    // The assigned user: gone from the list, and its history is a plain 404.
    expect((await json(await user.fetch('/api/v1/streamers'))).body.map((s: { slug: string }) => s.slug)).toEqual([])
    for (const path of ['', '/events', '/sessions', '/profile', '/viewers']) expect((await user.fetch(`/api/v1/streamers/${slug}${path}`)).status).toBe(404)
    expect((await user.fetch(`/api/v1/streamers?archived=true`)).status).toBe(403)
    // The assignment itself is kept (it comes back with the streamer), also through a save of the
    // user's streamer editor, which shows monitored streamers only.
    expect((await json(await h.admin.fetch(`/api/v1/users/${user.id}/streamers`))).body.slugs).toEqual([slug])
    const saved = await h.admin.fetch(`/admin/users/${user.id}/streamers`, { method: 'PUT', body: new URLSearchParams({ paste: '' }), headers: { 'hx-request': 'true' } })
    expect(saved.status).toBe(200)
    expect(await saved.text()).toContain('saved: 0 streamers (and 1 not monitored now, kept for when they are added again)')
    expect((await json(await h.admin.fetch(`/api/v1/users/${user.id}/streamers`))).body.slugs).toEqual([slug])

    // Admins: listed as archived with its history counts; events, streams, viewers and profile readable.
    const archived = await json(await h.admin.fetch('/api/v1/streamers?archived=true'))
    expect(archived.body).toHaveLength(1)
    expect(archived.body[0]).toMatchObject({ slug, events: before.events, sessions: before.sessions })
    expect((await json(await h.admin.fetch(`/api/v1/streamers/${slug}/events?limit=500`))).body).toHaveLength(before.events)
    expect((await json(await h.admin.fetch(`/api/v1/streamers/${slug}/sessions`))).body).toHaveLength(before.sessions)
    const profile = await json(await h.admin.fetch(`/api/v1/streamers/${slug}/profile`))
    expect(profile.body.archived_at).toBe(archived.body[0].archived_at)
    const viewers = await json(await h.admin.fetch(`/api/v1/streamers/${slug}/viewers?from=${new Date(Date.now() - 3600_000).toISOString()}&to=${new Date().toISOString()}&step=1`))
    expect(viewers.body.points.length).toBeGreaterThan(0)
    const page = await h.admin.fetch(`/streamers/${slug}`, { headers: { accept: 'text/html' } })
    expect(page.status).toBe(200)
    const text = await page.text()
    expect(text).toContain('Not monitored since')
    expect(text).not.toContain('hx-ws:connect') // no live feed for a streamer nobody watches
    const admin = await (await h.admin.fetch('/admin/streamers', { headers: { accept: 'text/html' } })).text()
    expect(admin).toContain(`id="a-${slug}"`)
    expect(admin).toContain(`type <code>${slug}</code> to confirm`)
    expect(await auditOf('streamer.remove')).toHaveLength(1)
  }, 30_000)

  test('adding it again resumes the same streamer: same id, history and the user’s assignment back', async () => {
    const before = await rows()
    const r = await h.admin.fetch('/api/v1/streamers', { method: 'POST', json: { slug } })
    expect(r.status).toBe(201)
    expect(await rows()).toMatchObject({ id: before.id, archived: false, events: before.events, sessions: before.sessions })
    await eventually(() => h.statuses.get(slug), 5000, 'the gateway to show it again')
    await eventually(async () => (await json(await user.fetch('/api/v1/streamers'))).body.some((s: { slug: string }) => s.slug === slug), 5000, 'the user to see it again')
    expect((await json(await user.fetch(`/api/v1/streamers/${slug}/events?limit=500`))).body).toHaveLength(before.events)
    expect((await json(await h.admin.fetch('/api/v1/streamers?archived=true'))).body).toEqual([])
    expect(await auditOf('streamer.resume')).toHaveLength(1)
  }, 30_000)

  test('purge: refused while monitored, then deletes exactly this streamer’s rows, audited with the counts', async () => {
    const monitored = await json(await h.admin.fetch(`/api/v1/streamers/${slug}/purge`, { method: 'POST' }))
    expect(monitored.status).toBe(409)
    expect(monitored.body.error.message).toContain('remove it first')
    const other = h.slugs()[1]!
    await h.monitor(other) // someone else's rows must survive
    expect((await h.admin.fetch(`/api/v1/streamers/${slug}`, { method: 'DELETE' })).status).toBe(204)
    const before = await rows()
    const [otherBefore] = await sql()`select id, (select count(*)::int from status_events where streamer_id = s.id) as events from streamers s where slug = ${other}`

    const r = await json(await h.admin.fetch(`/api/v1/streamers/${slug}/purge`, { method: 'POST' }))
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ purged: slug, streamer_id: before.id, events: before.events, sessions: before.sessions, samples: before.samples })
    expect(await rows()).toEqual({ id: null, archived: null, events: 0, sessions: 0, samples: 0 })
    const orphans = await sql()`select 1 from viewer_samples where streamer_id = ${before.id!} union all select 1 from status_events where streamer_id = ${before.id!} union all select 1 from stream_sessions where streamer_id = ${before.id!}`
    expect(orphans.length).toBe(0)
    const [otherAfter] = await sql()`select id, (select count(*)::int from status_events where streamer_id = s.id) as events from streamers s where slug = ${other}`
    expect(otherAfter!.id).toBe(otherBefore!.id)
    expect(otherAfter!.events).toBeGreaterThanOrEqual(otherBefore!.events)

    const audit = await auditOf('streamer.purge')
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details.deleted).toEqual({ events: before.events, sessions: before.sessions, samples: before.samples })
    expect((await h.admin.fetch(`/api/v1/streamers/${slug}/purge`, { method: 'POST' })).status).toBe(404)
    expect((await h.admin.fetch(`/api/v1/streamers/${slug}/events`)).status).toBe(404)
  }, 30_000)

  test('a stream live when its streamer is archived is not shown as live, and its duration stops at the archiving', async () => {
    const other = h.slugs()[1]!
    h.env.sim.world.update(other, { live: true, viewers: 55 })
    await eventually(async () => (await json(await h.admin.fetch(`/api/v1/streamers/${other}/sessions`))).body.length === 1, 20_000, 'an open session')
    expect((await h.admin.fetch(`/api/v1/streamers/${other}`, { method: 'DELETE' })).status).toBe(204)
    const first = (await json(await h.admin.fetch(`/api/v1/streamers/${other}/sessions`))).body[0]
    expect(first.ended_at).toBeNull() // nobody saw it end
    await Bun.sleep(1100)
    expect((await json(await h.admin.fetch(`/api/v1/streamers/${other}/sessions`))).body[0].duration_s).toBe(first.duration_s)
    const page = await (await h.admin.fetch(`/streamers/${other}`, { headers: { accept: 'text/html' } })).text()
    const table = page.slice(page.indexOf('id="sessions-body"'))
    expect(table).toContain('>archived</span>')
    expect(table).not.toContain('badge live')
  }, 30_000)
})
