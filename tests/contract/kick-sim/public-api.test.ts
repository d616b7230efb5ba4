import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import type { KickSim } from '../../../services/kick-sim/src/sim.ts'
import { api, appToken, control, newSim, query } from './helpers.ts'

// kick-api.md §2: envelopes, batch limits, field names per endpoint.
let sim: KickSim
let token: string
beforeEach(async () => {
  sim = newSim({ channels: 150, seed: 7 })
  token = await appToken(sim)
})
afterEach(async () => sim.stop())

type Env<T = unknown> = { data: T; message: string; pagination?: { next_cursor: string } }
const get = async <T = unknown>(path: string): Promise<{ status: number; body: Env<T> }> => {
  const res = await api(sim, token, path)
  return { status: res.status, body: (await res.json()) as Env<T> }
}
const badRequest = (reason: string) => ({ data: reason, message: 'Bad request' })

describe('GET /public/v1/channels', () => {
  test('slug lookup: offline channels present with is_live:false, unknown slugs silently missing, Kick field names', async () => {
    const [live] = sim.world.list().filter((c) => c.live)
    const [off] = sim.world.list().filter((c) => !c.live)
    if (!live || !off) throw new Error('world needs live and offline channels')
    const { status, body } = await get<Record<string, any>[]>(`/public/v1/channels?${query('slug', [live.slug, 'no_such_channel', off.slug])}`)
    expect(status).toBe(200)
    expect(body.message).toBe('OK')
    expect(body.data.map((c) => c.slug)).toEqual([live.slug, off.slug])
    const [l, o] = body.data as [Record<string, any>, Record<string, any>]
    expect(Object.keys(l).sort()).toEqual(['active_gifted_subscribers_count', 'active_subscribers_count', 'banner_picture', 'broadcaster_user_id', 'canceled_subscribers_count', 'category', 'channel_description', 'slug', 'stream', 'stream_title'])
    expect(l.broadcaster_user_id).toBe(live.user_id)
    expect(l.stream_title).toBe(live.title)
    expect(l.stream.is_live).toBe(true)
    expect(l.stream.viewer_count).toBe(live.viewers)
    expect(l.stream.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) // start_time, not started_at
    expect(l.stream.started_at).toBeUndefined()
    expect(l.title).toBeUndefined()
    expect(o.stream.is_live).toBe(false)
    expect(o.stream.viewer_count).toBe(0)
  })

  test('subscriber counts: active includes gifted, gifted is its share (paid = active − gifted), on every channel, live or not', async () => {
    const all = sim.world.list()
    const { body } = await get<Record<string, any>[]>(`/public/v1/channels?${query('slug', all.slice(0, 25).map((c) => c.slug))}`)
    expect(body.data.length).toBe(25)
    for (const item of body.data) {
      const c = all.find((x) => x.slug === item.slug)!
      expect(item.active_subscribers_count).toBe(c.active_subscribers_count)
      expect(item.active_gifted_subscribers_count).toBe(c.active_gifted_subscribers_count)
      expect(Number.isInteger(item.active_gifted_subscribers_count)).toBe(true)
      expect(item.active_gifted_subscribers_count).toBeGreaterThanOrEqual(0)
      expect(item.active_gifted_subscribers_count).toBeLessThanOrEqual(item.active_subscribers_count)
    }
    // A world where every channel has no gifted subscriptions would not show the share at all.
    expect(body.data.some((i) => i.active_gifted_subscribers_count > 0)).toBe(true)
  })

  test('broadcaster_user_id lookup returns the same channel', async () => {
    const c = sim.world.list()[3]!
    const { body } = await get<Record<string, any>[]>(`/public/v1/channels?broadcaster_user_id=${c.user_id}`)
    expect(body.data.map((x) => x.slug)).toEqual([c.slug])
  })

  test('limits: 50 slugs ok, 51 → 400; 51 ids → 400; slug of 26 chars → 400; mixed → 400; app token without params → the documented 400', async () => {
    const slugs = sim.world.list().map((c) => c.slug)
    const ids = sim.world.list().map((c) => c.user_id)
    expect((await get(`/public/v1/channels?${query('slug', slugs.slice(0, 50))}`)).status).toBe(200)
    const tooMany = await get(`/public/v1/channels?${query('slug', slugs.slice(0, 51))}`)
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.message).toBe('Bad request')
    expect(typeof tooMany.body.data).toBe('string')
    expect((await get(`/public/v1/channels?${query('broadcaster_user_id', ids.slice(0, 51))}`)).status).toBe(400)
    expect((await get(`/public/v1/channels?slug=${'a'.repeat(25)}`)).status).toBe(200)
    const long = await get(`/public/v1/channels?slug=${'a'.repeat(26)}`)
    expect(long.status).toBe(400)
    expect(long.body.message).toBe('Bad request')
    const mixed = await get(`/public/v1/channels?slug=${slugs[0]}&broadcaster_user_id=${ids[1]}`)
    expect(mixed.status).toBe(400)
    expect(mixed.body.message).toBe('Bad request')
    const none = await get('/public/v1/channels')
    expect(none.status).toBe(400)
    expect(none.body).toEqual(badRequest('broadcaster_user_id is required for app tokens'))
  })

  test('#321 fault: batches over 25 carry stale items, batches of 25 stay right', async () => {
    for (const c of sim.world.list().slice(0, 40)) if (!c.live) sim.world.update(c.slug, { live: true })
    await control(sim, 'PUT', '/_sim/faults', { staleBatch: { rate: 1 } })
    const slugs = sim.world.list().slice(0, 40).map((c) => c.slug)
    const truth = new Map(sim.world.list().map((c) => [c.slug, c]))
    const differs = (items: Record<string, any>[]) => items.filter((i) => {
      const t = truth.get(i.slug)!
      return i.stream.is_live !== t.live || i.stream.viewer_count !== t.viewers
    }).length
    const small = await get<Record<string, any>[]>(`/public/v1/channels?${query('slug', slugs.slice(0, 25))}`)
    expect(differs(small.body.data)).toBe(0)
    const big = await get<Record<string, any>[]>(`/public/v1/channels?${query('slug', slugs.slice(0, 26))}`)
    expect(big.body.data).toHaveLength(26)
    expect(differs(big.body.data)).toBe(26)
    await control(sim, 'DELETE', '/_sim/faults')
    const fixed = await get<Record<string, any>[]>(`/public/v1/channels?${query('slug', slugs.slice(0, 26))}`)
    expect(differs(fixed.body.data)).toBe(0)
  })
})

describe('GET /public/v1/users/livestreams', () => {
  test('only live streams, v2 item shape with title/started_at/language_code/channel.slug', async () => {
    const all = sim.world.list().slice(0, 100)
    const { status, body } = await get<Record<string, any>[]>(`/public/v1/users/livestreams?${query('user_id', all.map((c) => c.user_id))}`)
    expect(status).toBe(200)
    const live = all.filter((c) => c.live)
    expect(live.length).toBeGreaterThan(0)
    expect(body.data.map((i) => i.broadcaster_user.id).sort()).toEqual(live.map((c) => c.user_id).sort())
    const item = body.data[0]!
    expect(Object.keys(item)).toEqual(['id', 'broadcaster_user', 'category', 'channel', 'has_mature_content', 'language_code', 'started_at', 'tags', 'thumbnail', 'title', 'viewer_count'])
    expect(typeof item.id).toBe('string')
    expect(Object.keys(item.broadcaster_user)).toEqual(['id', 'username', 'profile_picture'])
    const src = live.find((c) => c.user_id === item.broadcaster_user.id)!
    expect(item.channel).toEqual({ slug: src.slug })
    expect(item.title).toBe(src.title)
    expect(item.viewer_count).toBe(src.viewers)
    expect(item.started_at).toBe(src.started_at!.replace(/\.\d{3}Z$/, 'Z'))
  })

  test('101 user_ids → 400; none → 400; non-integer → 400', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => i + 1)
    expect((await get(`/public/v1/users/livestreams?${query('user_id', ids.slice(0, 100))}`)).status).toBe(200)
    for (const q of [query('user_id', ids), '', 'user_id=abc']) {
      const r = await get(`/public/v1/users/livestreams?${q}`)
      expect(r.status).toBe(400)
      expect(r.body.message).toBe('Bad request')
    }
  })
})

describe('GET /public/v2/livestreams', () => {
  test('cursor pagination walks every live stream once, oldest first, next_cursor "" on the last page', async () => {
    const live = sim.world.list().filter((c) => c.live)
    const seen: Record<string, any>[] = []
    let cursor = ''
    let pages = 0
    for (;;) {
      const { status, body } = await get<Record<string, any>[]>(`/public/v2/livestreams?limit=7${cursor ? `&cursor=${cursor}` : ''}`)
      expect(status).toBe(200)
      expect(body.message).toBe('OK')
      seen.push(...body.data)
      pages++
      cursor = body.pagination!.next_cursor
      if (cursor === '') break
      expect(body.data).toHaveLength(7)
    }
    expect(pages).toBe(Math.ceil(live.length / 7))
    expect(seen.map((i) => i.channel.slug).sort()).toEqual(live.map((c) => c.slug).sort())
    const starts = seen.map((i) => Date.parse(i.started_at))
    expect(starts).toEqual([...starts].sort((a, b) => a - b))
  })

  test('limit outside 1..1000 and a junk cursor → 400', async () => {
    for (const q of ['limit=0', 'limit=1001', 'cursor=!!!']) expect((await get(`/public/v2/livestreams?${q}`)).status).toBe(400)
  })

  test('category_id filter', async () => {
    const { body } = await get<Record<string, any>[]>('/public/v2/livestreams?limit=1000&category_id=15')
    expect(body.data.every((i) => i.category.id === 15)).toBe(true)
    expect(body.data.length).toBe(sim.world.list().filter((c) => c.live && c.category?.id === 15).length)
  })
})

describe('deprecated v1 livestreams, stats, users, public key', () => {
  test('v1 livestreams uses stream_title/slug/language/channel_id and sorts by viewer_count', async () => {
    const { body } = await get<Record<string, any>[]>('/public/v1/livestreams?sort=viewer_count&limit=5')
    expect(body.data).toHaveLength(5)
    const v = body.data.map((i) => i.viewer_count)
    expect(v).toEqual([...v].sort((a, b) => b - a))
    const i = body.data[0]!
    expect(i.stream_title).toBeString()
    expect(i.title).toBeUndefined()
    expect(i.language).toBeString()
    expect(i.channel_id).not.toBe(i.broadcaster_user_id)
    expect((await get('/public/v1/livestreams?sort=loudness')).status).toBe(400)
  })

  test('stats total_count is the number of live streams', async () => {
    const { body } = await get('/public/v1/livestreams/stats')
    expect(body).toEqual({ data: { total_count: sim.world.list().filter((c) => c.live).length }, message: 'OK' })
  })

  test('users by id', async () => {
    const c = sim.world.list()[0]!
    const { body } = await get<Record<string, any>[]>(`/public/v1/users?id=${c.user_id}&id=999999999`)
    expect(body.data).toHaveLength(1)
    expect(body.data[0]).toMatchObject({ email: '', name: c.username, user_id: c.user_id })
  })

  test('public key is served without a token as PEM', async () => {
    const res = await api(sim, null, '/public/v1/public-key')
    expect(res.status).toBe(200)
    const body = (await res.json()) as Env<{ public_key: string }>
    expect(body.data.public_key).toStartWith('-----BEGIN PUBLIC KEY-----\n')
    expect(body.data.public_key).toEndWith('-----END PUBLIC KEY-----')
  })
})
