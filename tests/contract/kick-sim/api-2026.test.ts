import { describe, expect, test } from 'bun:test'
import type { KickSim, KickSimOptions } from '../../../services/kick-sim/src/sim.ts'
import { api, appToken, control, newSim, query, receiver, stopAfterEach, subscribe, type Receiver } from './helpers.ts'

// Kick's public API as it is at the end of 2026 (docs/kick-sim.md, "Kick in 2026"): per-stream
// UUIDs, the documented error envelope, hidden viewer counts, v1 livestreams deprecated,
// automatic unsubscription of failing webhooks.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
let sim: KickSim
let rx: Receiver | null = null
stopAfterEach(() => [sim, rx])

const json = async (res: Response) => (await res.json()) as { data: any; message: string }
const liveItems = async (token: string, userIds: number[]) => (await json(await api(sim, token, `/public/v1/users/livestreams?${query('user_id', userIds)}`))).data as any[]
const v2Items = async (token: string) => (await json(await api(sim, token, '/public/v2/livestreams?limit=1000'))).data as any[]

/** A new sim, an app token for it, and one of its offline channels started with `viewers`. */
async function withLiveChannel(opts: KickSimOptions, viewers: number) {
  sim = newSim(opts)
  const token = await appToken(sim)
  const ch = sim.world.list().find((c) => !c.live)!
  await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true, viewers })
  return { token, ch }
}

describe('per-stream UUID id on users/livestreams and v2 items', () => {
  test('the same id on every poll of one stream, on both endpoints; a new stream (even a quick restart) gets a new one', async () => {
    const { token, ch } = await withLiveChannel({ channels: 20, seed: 11 }, 40)
    const [first] = await liveItems(token, [ch.user_id])
    const [again] = await liveItems(token, [ch.user_id])
    expect(first.id).toMatch(UUID)
    expect(again.id).toBe(first.id)
    expect((await v2Items(token)).find((i) => i.broadcaster_user.id === ch.user_id).id).toBe(first.id)
    const view = (await (await control(sim, 'GET', `/_sim/channels/${ch.slug}`)).json()) as { stream_id: string }
    expect(view.stream_id).toBe(first.id)

    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: false })
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true })
    const [restarted] = await liveItems(token, [ch.user_id])
    expect(restarted.id).toMatch(UUID)
    expect(restarted.id).not.toBe(first.id)
    const ids = (await v2Items(token)).map((i) => i.id)
    expect(new Set(ids).size).toBe(ids.length) // unique across live streams
  })

  test('items carry broadcaster_user.profile_picture, channel.slug, tags, thumbnail and category.thumbnail', async () => {
    sim = newSim({ channels: 30, seed: 12 })
    const token = await appToken(sim)
    const live = sim.world.list().filter((c) => c.live)
    for (const item of await liveItems(token, live.map((c) => c.user_id))) {
      expect(item.broadcaster_user.profile_picture).toMatch(/^http.*\/images\/user\/\d+\/profile_image\//)
      expect(item.channel.slug).toBe(live.find((c) => c.user_id === item.broadcaster_user.id)!.slug)
      expect(Array.isArray(item.tags) && item.tags.length > 0).toBe(true)
      expect(item.thumbnail).toMatch(/\/video_thumbnails\/.+\.webp$/)
      if (item.category.id) expect(item.category.thumbnail).toMatch(/^http/)
    }
  })
})

describe('error envelope', () => {
  test('errors answer the documented {"data": null, "message"}; 400 keeps its reason string', async () => {
    sim = newSim({ channels: 5 })
    const token = await appToken(sim)
    expect(await json(await api(sim, 'not-a-token', '/public/v1/users/livestreams?user_id=1'))).toEqual({ data: null, message: 'Unauthorized' })
    expect(await json(await api(sim, token, '/public/v1/no-such-route'))).toEqual({ data: null, message: 'Not Found' })
    await control(sim, 'PUT', '/_sim/faults', { errorRate: 1, errorStatuses: [500], paths: ['/public/v1/users/livestreams'] })
    const failed = await api(sim, token, '/public/v1/users/livestreams?user_id=1')
    expect(failed.status).toBe(500)
    expect(await json(failed)).toEqual({ data: null, message: 'Internal server error' })
    await control(sim, 'DELETE', '/_sim/faults')
    expect(await json(await api(sim, token, '/public/v1/users/livestreams'))).toEqual({ data: 'user_id is required', message: 'Bad request' })
  })

  test('the legacyErrorBody fault answers {"data": {}} as issue reports saw it; successes are untouched', async () => {
    sim = newSim({ channels: 5 })
    const token = await appToken(sim)
    await control(sim, 'PUT', '/_sim/faults', { legacyErrorBody: true })
    expect(await json(await api(sim, 'not-a-token', '/public/v1/users/livestreams?user_id=1'))).toEqual({ data: {}, message: 'Unauthorized' })
    expect(await json(await api(sim, token, '/public/v1/users/livestreams'))).toEqual({ data: 'user_id is required', message: 'Bad request' })
    expect((await json(await api(sim, token, '/public/v1/users/livestreams?user_id=1'))).message).toBe('OK')
  })
})

describe('hidden viewer count', () => {
  test('a channel hiding its count reports viewer_count 0 on every source while live; showing it again brings the count back', async () => {
    const { token, ch } = await withLiveChannel({ channels: 10, seed: 13 }, 1234)
    const hidden = await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { viewers_hidden: true })
    expect(await hidden.json()).toMatchObject({ live: true, viewers: 1234, viewers_hidden: true }) // the control view keeps the truth

    const reported = async () => {
      const channel = (await json(await api(sim, token, `/public/v1/channels?slug=${ch.slug}`))).data[0]
      const [live] = await liveItems(token, [ch.user_id])
      const v2 = (await v2Items(token)).find((i) => i.broadcaster_user.id === ch.user_id)
      const v1 = (await json(await api(sim, token, `/public/v1/livestreams?broadcaster_user_id=${ch.user_id}`))).data[0]
      const site = (await (await sim.fetch(new Request(`http://kick.test/api/v2/channels/${ch.slug}`))).json()) as any
      const siteV1 = (await (await sim.fetch(new Request(`http://kick.test/api/v1/channels/${ch.slug}`))).json()) as any
      const siteLive = (await (await sim.fetch(new Request(`http://kick.test/api/v2/channels/${ch.slug}/livestream`))).json()) as any
      return [channel.stream.viewer_count, live.viewer_count, v2.viewer_count, v1.viewer_count, site.livestream.viewer_count, siteV1.livestream.viewers, siteLive.data.viewers]
    }
    expect(await reported()).toEqual([0, 0, 0, 0, 0, 0, 0])
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { viewers_hidden: false })
    expect(await reported()).toEqual([1234, 1234, 1234, 1234, 1234, 1234, 1234])
  })

  test('viewers_hidden must be a boolean', async () => {
    sim = newSim({ channels: 3 })
    const ch = sim.world.list()[0]!
    const res = await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { viewers_hidden: 'yes' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error.message).toContain('viewers_hidden')
  })
})

test('v1 /public/v1/livestreams (deprecated by Kick) still answers its old shape', async () => {
  sim = newSim({ channels: 20, seed: 14 })
  const token = await appToken(sim)
  const res = await api(sim, token, '/public/v1/livestreams?limit=3')
  expect(res.status).toBe(200)
  const body = await json(res)
  expect(body.data[0]).toHaveProperty('stream_title')
  expect(body.data[0]).not.toHaveProperty('id') // v1 items never had the per-stream id
})

describe('automatic unsubscription of failing webhooks', () => {
  test('the period is shortenable from the control API: a subscription failing longer than it is removed', async () => {
    rx = receiver(() => 500)
    sim = newSim({ channels: 10, webhookUrl: rx.url })
    const token = await appToken(sim)
    expect(await (await control(sim, 'GET', '/_sim/subscriptions/policy')).json()).toEqual({ unsubscribe_after_s: 86_400 })
    expect(await (await control(sim, 'PUT', '/_sim/subscriptions/policy', { unsubscribe_after_s: 0 })).json()).toEqual({ unsubscribe_after_s: 0 })
    expect((await control(sim, 'PUT', '/_sim/subscriptions/policy', { unsubscribe_after_s: -1 })).status).toBe(400)
    const ch = sim.world.list().find((c) => !c.live)!
    await subscribe(sim, token, ch.user_id, ['livestream.status.updated'])
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: true })
    await rx.waitFor(1)
    await sim.webhooks.idle()
    expect((await json(await api(sim, token, '/public/v1/events/subscriptions'))).data).toEqual([])
    expect(sim.counters.snapshot().webhooks).toMatchObject({ failed: 1, unsubscribed: 1 })
  })

  test('POST /_sim/subscriptions/expire removes what is failing now, as a day later; healthy subscriptions stay', async () => {
    let failing = true
    rx = receiver(() => (failing ? 500 : 200))
    sim = newSim({ channels: 10, webhookUrl: rx.url })
    const token = await appToken(sim)
    const [a, b] = sim.world.list().filter((c) => !c.live)
    const sub = (userId: number) => subscribe(sim, token, userId, ['livestream.status.updated'])
    await sub(a!.user_id)
    await sub(b!.user_id)
    await control(sim, 'PATCH', `/_sim/channels/${a!.slug}`, { live: true })
    await rx.waitFor(1)
    await sim.webhooks.idle()
    failing = false
    await control(sim, 'PATCH', `/_sim/channels/${b!.slug}`, { live: true })
    await rx.waitFor(2)
    await sim.webhooks.idle()
    expect(await (await control(sim, 'POST', '/_sim/subscriptions/expire')).json()).toEqual({ unsubscribed: 1 })
    const left = (await json(await api(sim, token, '/public/v1/events/subscriptions'))).data as any[]
    expect(left.map((s) => s.broadcaster_user_id)).toEqual([b!.user_id])
  })
})
