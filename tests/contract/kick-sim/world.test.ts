import { afterEach, describe, expect, test } from 'bun:test'
import { createKickSim, type KickSim } from '../../../services/kick-sim/src/sim.ts'
import { api, appToken, control, newSim, query } from './helpers.ts'

// The seeded world and the control API (docs/design.md#kick-sim).
let sim: KickSim
afterEach(async () => sim?.stop())

const MAIN = `${import.meta.dir}/../../../services/kick-sim/src/main.ts`
const fixedClock = () => Date.UTC(2026, 5, 20, 21, 0, 0)

describe('seeded world', () => {
  test('the same seed gives the same world; another seed a different one', async () => {
    const a = createKickSim({ channels: 500, seed: 42, clock: fixedClock })
    const b = createKickSim({ channels: 500, seed: 42, clock: fixedClock })
    const c = createKickSim({ channels: 500, seed: 43, clock: fixedClock })
    expect(a.world.list()).toEqual(b.world.list())
    expect(a.world.list().map((x) => x.slug)).not.toEqual(c.world.list().map((x) => x.slug))
    await Promise.all([a.stop(), b.stop(), c.stop()])
  })

  test('slugs are lowercase [a-z0-9_-]{1,25} and unique; user ids and channel ids are distinct ints', () => {
    sim = newSim({ channels: 20_000 })
    const all = sim.world.list()
    expect(all).toHaveLength(20_000)
    expect(all.every((c) => /^[a-z0-9_-]{1,25}$/.test(c.slug))).toBe(true)
    expect(new Set(all.map((c) => c.slug)).size).toBe(all.length)
    const users = new Set(all.map((c) => c.user_id))
    expect(users.size).toBe(all.length)
    expect(new Set(all.map((c) => c.channel_id)).size).toBe(all.length)
    expect(all.every((c) => Number.isInteger(c.user_id) && Number.isInteger(c.channel_id) && !users.has(c.channel_id))).toBe(true)
    const live = all.filter((c) => c.live)
    expect(live.length / all.length).toBeGreaterThan(0.3)
    expect(live.length / all.length).toBeLessThan(0.6)
    expect(Math.max(...live.map((c) => c.viewers))).toBeGreaterThan(1000) // a long tail, not a flat world
  })

  test('10,000 channels start well under a few seconds', () => {
    const t0 = performance.now()
    sim = newSim({ channels: 10_000 })
    expect(performance.now() - t0).toBeLessThan(1500)
  })

  test('activity makes streams change on their own and announces them', async () => {
    sim = createKickSim({ channels: 30, seed: 5, activity: true, activityIntervalMs: 20, activityRate: 3000 })
    const before = JSON.stringify(sim.world.list())
    let changes = 0
    sim.world.onChange(() => changes++)
    await Bun.sleep(400)
    expect(changes).toBeGreaterThan(0)
    expect(JSON.stringify(sim.world.list())).not.toBe(before)
  })
})

describe('control API', () => {
  test('GET /_sim/channels and /_sim/channels/<slug>', async () => {
    sim = newSim()
    const list = (await (await control(sim, 'GET', '/_sim/channels')).json()) as { slug: string }[]
    expect(list).toHaveLength(12)
    const one = await control(sim, 'GET', `/_sim/channels/${list[0]!.slug}`)
    expect(await one.json()).toEqual(sim.world.get(list[0]!.slug)!)
    const live = (await (await control(sim, 'GET', '/_sim/channels?live=true')).json()) as { live: boolean }[]
    expect(live.every((c) => c.live)).toBe(true)
    const missing = await control(sim, 'GET', '/_sim/channels/not_there')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no channel "not_there"' } })
  })

  test('PATCH live:true starts a new stream now; live:false ends it; the public API follows', async () => {
    sim = newSim()
    const t = await appToken(sim)
    const ch = sim.world.list().find((c) => !c.live)!
    const t0 = Date.now()
    const on = (await (await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true, viewers: 321, title: 'hello', category: 'Chess' })).json()) as Record<string, any>
    expect(on).toMatchObject({ live: true, viewers: 321, title: 'hello', category: { id: 10, name: 'Chess' } })
    expect(Math.abs(Date.parse(on.started_at) - t0)).toBeLessThan(1000)
    const ls = (await (await api(sim, t, `/public/v1/users/livestreams?user_id=${ch.user_id}`)).json()) as { data: any[] }
    expect(ls.data[0]).toMatchObject({ title: 'hello', viewer_count: 321, category: { id: 10, name: 'Chess' } })
    const off = (await (await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: false })).json()) as Record<string, any>
    expect(off).toMatchObject({ live: false, viewers: 0, started_at: null })
    const gone = (await (await api(sim, t, `/public/v1/users/livestreams?user_id=${ch.user_id}`)).json()) as { data: any[] }
    expect(gone.data).toEqual([])
    // A restart is a new stream with a new start time and id (a "flap").
    await Bun.sleep(5)
    const again = (await (await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true })).json()) as Record<string, any>
    expect(again.livestream_id).not.toBe(on.livestream_id)
    expect(Date.parse(again.started_at)).toBeGreaterThan(Date.parse(on.started_at))
  })

  test('PATCH validation: precise 400s, 404 for unknown, 409 for viewers on an offline channel', async () => {
    sim = newSim()
    const ch = sim.world.list().find((c) => !c.live)!
    const cases: [unknown, number, string][] = [
      [{ viewers: -1 }, 400, 'viewers'],
      [{ live: 'yes' }, 400, 'live'],
      [{ colour: 'red' }, 400, 'colour'],
      [{}, 400, 'at least one'],
      [{ category: { id: 'x', name: 'y' } }, 400, 'category'],
      [{ viewers: 10 }, 409, 'offline'],
    ]
    for (const [body, status, word] of cases) {
      const res = await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, body)
      expect(res.status).toBe(status)
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(word)
    }
    expect((await control(sim, 'PATCH', '/_sim/channels/not_there', { live: true })).status).toBe(404)
  })

  test('POST adds a channel (201), 409 when it exists, 400 for a bad slug; DELETE removes it', async () => {
    sim = newSim()
    const t = await appToken(sim)
    const res = await control(sim, 'POST', '/_sim/channels', { slug: 'brand_new', username: 'Brand_New', live: true, viewers: 55, title: 'first!' })
    expect(res.status).toBe(201)
    const created = (await res.json()) as Record<string, any>
    expect(created).toMatchObject({ slug: 'brand_new', username: 'Brand_New', live: true, viewers: 55, title: 'first!' })
    expect(created.user_id).not.toBe(created.channel_id)
    const pub = (await (await api(sim, t, '/public/v1/channels?slug=brand_new')).json()) as { data: any[] }
    expect(pub.data[0]).toMatchObject({ broadcaster_user_id: created.user_id, stream: { is_live: true, viewer_count: 55 } })
    expect((await control(sim, 'POST', '/_sim/channels', { slug: 'brand_new' })).status).toBe(409)
    for (const slug of ['Has_Caps', 'a'.repeat(26), 'sp ace', '']) {
      const bad = await control(sim, 'POST', '/_sim/channels', { slug })
      expect(bad.status).toBe(400)
      expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('slug')
    }
    expect((await control(sim, 'DELETE', '/_sim/channels/brand_new')).status).toBe(204)
    expect((await control(sim, 'DELETE', '/_sim/channels/brand_new')).status).toBe(404)
    const after = (await (await api(sim, t, '/public/v1/channels?slug=brand_new')).json()) as { data: any[] }
    expect(after.data).toEqual([])
  })

  test('POST rename: the new slug resolves to the same user id, the old one is unknown and free to take', async () => {
    sim = newSim()
    const t = await appToken(sim)
    const ch = sim.world.list().find((c) => !c.live)!
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true, title: 'still me' })
    const res = await control(sim, 'POST', `/_sim/channels/${ch.slug}/rename`, { slug: 'new_name', username: 'New_Name' })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ slug: 'new_name', username: 'New_Name', user_id: ch.user_id, channel_id: ch.channel_id, live: true, title: 'still me' })
    const bySlug = (slug: string) => api(sim, t, `/public/v1/channels?slug=${slug}`).then((r) => r.json() as Promise<{ data: any[] }>)
    expect((await bySlug('new_name')).data.map((c) => c.broadcaster_user_id)).toEqual([ch.user_id])
    expect((await bySlug(ch.slug)).data).toEqual([])
    const byId = (await (await api(sim, t, `/public/v1/channels?broadcaster_user_id=${ch.user_id}`)).json()) as { data: any[] }
    expect(byId.data[0].slug).toBe('new_name')
    const ls = (await (await api(sim, t, `/public/v1/users/livestreams?user_id=${ch.user_id}`)).json()) as { data: any[] }
    expect(ls.data[0]).toMatchObject({ channel: { slug: 'new_name' }, broadcaster_user: { id: ch.user_id, username: 'New_Name' } })
    expect((await sim.fetch(new Request(`http://kick.test/api/v2/channels/${ch.slug}`))).status).toBe(404)
    expect((await control(sim, 'POST', '/_sim/channels', { slug: ch.slug })).status).toBe(201)
    // Taken, unknown and malformed names are refused.
    expect((await control(sim, 'POST', '/_sim/channels/new_name/rename', { slug: ch.slug })).status).toBe(409)
    expect((await control(sim, 'POST', '/_sim/channels/not_there/rename', { slug: 'whatever' })).status).toBe(404)
    const bad = await control(sim, 'POST', '/_sim/channels/new_name/rename', { slug: 'Bad Name' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('slug')
  })

  test('counters: requests per endpoint and status; DELETE resets', async () => {
    sim = newSim()
    const t = await appToken(sim)
    const ids = sim.world.list().map((c) => c.user_id)
    await api(sim, t, `/public/v1/users/livestreams?${query('user_id', ids)}`)
    await api(sim, t, `/public/v1/users/livestreams?${query('user_id', Array(101).fill(1))}`)
    await api(sim, null, '/public/v1/users/livestreams?user_id=1')
    const snap = (await (await control(sim, 'GET', '/_sim/counters')).json()) as Record<string, any>
    expect(snap.requests['GET /public/v1/users/livestreams']).toEqual({ '200': 1, '400': 1, '401': 1 })
    expect(snap.requests['POST /oauth/token']).toEqual({ '200': 1 })
    expect(snap.requests['GET /_sim/counters']).toBeUndefined()
    expect(snap.webhooks).toMatchObject({ sent: 0, dropped: 0, duplicated: 0 })
    const reset = (await (await control(sim, 'DELETE', '/_sim/counters')).json()) as Record<string, any>
    expect(reset.requests).toEqual({})
    expect(reset.total_requests).toBe(0)
  })
})

describe('main.ts', () => {
  test('logs one JSON line with the port, serves, and exits 0 on SIGTERM', async () => {
    const proc = Bun.spawn(['bun', MAIN], {
      env: { ...process.env, KICK_SIM_PORT: '0', KICK_SIM_ACTIVITY: 'off', KICK_SIM_CHANNELS: '3', LOG_LEVEL: 'info' },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const reader = proc.stdout.getReader()
    let text = ''
    while (!text.includes('\n')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    const line = JSON.parse(text.split('\n')[0]!) as { port: number; msg: string; service: string }
    expect(line.service).toBe('kick-sim')
    expect(line.port).toBeGreaterThan(0)
    const health = await fetch(`http://127.0.0.1:${line.port}/_sim/health`)
    expect(await health.json()).toEqual({ ok: true, channels: 3, live: expect.any(Number) })
    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
  })

  test('a bad env value stops with a clear message and exit 1', async () => {
    const proc = Bun.spawn(['bun', MAIN], { env: { ...process.env, KICK_SIM_CHANNELS: '99999' }, stdout: 'pipe', stderr: 'pipe' })
    expect(await proc.exited).toBe(1)
    expect(await new Response(proc.stderr).text()).toContain('KICK_SIM_CHANNELS')
  })
})
