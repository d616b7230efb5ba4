import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { StreamerStatus } from '../../../shared/src/contracts/status.ts'
import { subjects } from '../../../shared/src/contracts/names.ts'
import { eventually } from '../../harness/services.ts'
import { startGatewayHarness, type Client, type GatewayHarness } from './harness.ts'
import { readSse } from '../../harness/sse.ts'

// The live side for programs and pages: the SSE event stream (/api/v1/stream) and the
// dashboard socket (/ws), each scoped to what the caller may see, following access changes
// and closing when the session ends. Statuses are published on NATS the way the poller does.

let h: GatewayHarness
let viewer: Client
let A: string, B: string, C: string

beforeAll(async () => {
  h = await startGatewayHarness({ channels: 6 })
  ;[A, B, C] = h.slugs() as [string, string, string]
  for (const s of [A, B, C]) await h.monitor(s)
  viewer = await h.user('viewer')
  await h.assign(viewer.id, [A])
}, 90_000)
afterAll(async () => {
  await h?.stop()
})

/** Resolves once no status has changed for `ms` (the poller settles new streamers for a moment). */
async function quiet(ms = 1500, max = 15_000) {
  let last = Date.now()
  const off = h.statuses.onChange(() => (last = Date.now()))
  const deadline = Date.now() + max
  while (Date.now() - last < ms && Date.now() < deadline) await Bun.sleep(100)
  off()
}

/** Publish a status as the poller would (a newer checked_at than anything before). */
function publish(slug: string, patch: Partial<StreamerStatus>) {
  const s = { ...h.statuses.get(slug)!, ...patch, checked_at: new Date().toISOString(), changed_at: new Date().toISOString() }
  h.poller.ctx.nc.publish(subjects.status(slug), JSON.stringify(s))
}

type SseEvent = { event: string; data: unknown }
function sse(res: Response) {
  const events: SseEvent[] = []
  let done = false
  void readSse(res.body!, (event, data) => void events.push({ event, data: JSON.parse(data) })).then(() => {
    done = true
  })
  return { events, closed: () => done, cancel: () => res.body?.cancel().catch(() => {}) }
}

type Socket = { ws: WebSocket; messages: string[]; closed: Promise<number>; text: () => string }
/** A dashboard socket as a browser session (`c`), or as a program with an API key. */
async function socket(c: Client | { apiKey: string }, query = ''): Promise<Socket> {
  const headers = 'apiKey' in c ? { authorization: `Bearer ${c.apiKey}` } : { cookie: c.cookie }
  const ws = new WebSocket(`${h.base.replace('http', 'ws')}/ws${query}`, { headers } as never)
  const messages: string[] = []
  ws.onmessage = (e) => messages.push(String(e.data))
  const closed = new Promise<number>((r) => (ws.onclose = (e) => r(e.code)))
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)))
  return { ws, messages, closed, text: () => messages.join('\n') }
}

describe('the API event stream (SSE)', () => {
  test('starts with a snapshot of what the caller may see, then only their changes', async () => {
    // The poller's own first readings of the new streamers would count as a second change of A.
    await quiet()
    const s = sse(await viewer.fetch('/api/v1/stream'))
    const snap = await eventually(() => s.events.find((e) => e.event === 'snapshot'), 5000, 'the snapshot')
    expect((snap.data as StreamerStatus[]).map((x) => x.slug)).toEqual([A])
    publish(C, { viewers: 777, live: true })
    publish(A, { viewers: 4242, live: true })
    const st = await eventually(() => s.events.find((e) => e.event === 'status'), 5000, 'a status event')
    expect(st.data).toMatchObject({ slug: A, viewers: 4242 })
    await Bun.sleep(200)
    expect(s.events.filter((e) => e.event === 'status').map((e) => (e.data as StreamerStatus).slug)).toEqual([A])
    s.cancel()
  })

  test('an access change sends a fresh snapshot; ending the session ends the stream', async () => {
    const c = await h.user('viewer')
    await h.assign(c.id, [B])
    const s = sse(await c.fetch('/api/v1/stream'))
    await eventually(() => s.events.find((e) => e.event === 'snapshot'), 5000, 'the first snapshot')
    await h.assign(c.id, [B, C])
    const second = await eventually(() => s.events.filter((e) => e.event === 'snapshot')[1], 5000, 'a second snapshot')
    expect((second.data as StreamerStatus[]).map((x) => x.slug).sort()).toEqual([B, C].sort())
    expect((await c.fetch('/api/v1/auth/logout', { method: 'POST' })).status).toBe(200)
    await eventually(() => s.closed(), 5000, 'the stream to close')
    expect(s.events.at(-1)).toEqual({ event: 'end', data: { reason: 'session ended' } })
  })

  test('an API key gets the same scoped stream', async () => {
    const u = await h.user('user')
    await h.assign(u.id, [C])
    const key = await h.apiKey(u, 'read')
    const s = sse(await h.handle('/api/v1/stream', { headers: { authorization: `Bearer ${key}` } }))
    const snap = await eventually(() => s.events.find((e) => e.event === 'snapshot'), 5000, 'the snapshot')
    expect((snap.data as StreamerStatus[]).map((x) => x.slug)).toEqual([C])
    s.cancel()
  })

  test('revoking an API key ends its stream at once and the key is refused on the very next request', async () => {
    const u = await h.user('user')
    await h.assign(u.id, [C])
    const key = await h.apiKey(u, 'read')
    const bearer = { headers: { authorization: `Bearer ${key}` } }
    expect((await h.handle('/api/v1/streamers', bearer)).status).toBe(200) // now verified and cached by the gateway
    const s = sse(await h.handle('/api/v1/stream', bearer))
    await eventually(() => s.events.find((e) => e.event === 'snapshot'), 5000, 'the snapshot')
    const [k] = (await (await u.fetch('/api/v1/api-keys')).json()) as { id: number }[]
    const revokedAt = Date.now()
    expect((await u.fetch(`/api/v1/api-keys/${k!.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await h.handle('/api/v1/streamers', bearer)).status).toBe(401)
    await eventually(() => s.closed(), 5000, 'the stream to close')
    expect(Date.now() - revokedAt).toBeLessThan(1000) // not the periodic re-check of keys
    expect(s.events.at(-1)).toEqual({ event: 'end', data: { reason: 'API key revoked' } })
  })
})

describe('the dashboard socket (/ws)', () => {
  test('a page that just rendered gets only what changed since; an unknown cursor gets a full snapshot', async () => {
    await quiet()
    const cursor = h.gw.result.deps.feedLog.cursor()
    const fresh = await socket(h.admin, `?since=${cursor}`)
    await Bun.sleep(300)
    expect(fresh.messages).toEqual([]) // nothing changed since the page was rendered
    publish(B, { viewers: 55, live: true, title: 'changed after render' })
    await eventually(() => fresh.text().includes('changed after render'), 5000, 'the change')
    // Only that row, as an in-place replacement.
    expect(fresh.messages.length).toBe(1)
    expect(fresh.messages[0]).toMatch(new RegExp(`^<div id="row-${B}" hx-swap-oob="true" class="row live" `))
    fresh.ws.close()

    const late = await socket(h.admin, `?since=${cursor}`) // reconnect with the old cursor: the delta
    await eventually(() => late.text().includes('changed after render'), 5000, 'the delta')
    expect(late.text()).not.toContain(`id="row-${A}"`)
    late.ws.close()

    const stranger = await socket(h.admin, '?since=deadbeef.1')
    await eventually(() => [A, B, C].every((s) => stranger.text().includes(`id="row-${s}"`)), 5000, 'the full snapshot')
    expect(stranger.messages[0]).toStartWith('<div id="rows" hx-swap-oob="innerHTML">')
    stranger.ws.close()
  })

  test('a big snapshot goes out in small messages', async () => {
    // 150 made-up streamers (the poller only publishes; the gateway keeps them in memory).
    for (let i = 0; i < 150; i++) {
      const slug = `bulk-${i}`
      h.poller.ctx.nc.publish(subjects.status(slug), JSON.stringify({ ...h.statuses.get(A)!, slug, username: slug, checked_at: new Date().toISOString() }))
    }
    await eventually(() => h.statuses.get('bulk-149'), 5000, 'the made-up streamers')
    const s = await socket(h.admin)
    await eventually(() => s.text().includes('id="row-bulk-149"') && s.text().includes(`id="row-${A}"`), 5000, 'every row')
    expect(s.messages.length).toBeGreaterThan(2)
    expect(Math.max(...s.messages.map((m) => m.length))).toBeLessThan(64 * 1024)
    s.ws.close()
    for (let i = 0; i < 150; i++) h.poller.ctx.nc.publish(subjects.streamerRemoved, JSON.stringify({ slug: `bulk-${i}` }))
    await eventually(() => !h.statuses.get('bulk-149'), 5000, 'the made-up streamers gone')
  })

  test('a viewer sees only assigned rows; an assignment made elsewhere adds and removes rows live', async () => {
    const c = await h.user('viewer')
    await h.assign(c.id, [A])
    const s = await socket(c)
    await eventually(() => s.text().includes(`id="row-${A}"`), 5000, 'the snapshot')
    expect(s.text()).not.toContain(`row-${B}`)
    publish(C, { viewers: 9001 })
    await h.assign(c.id, [A, B])
    await eventually(() => s.text().includes(`<div hx-swap-oob="beforeend:#rows"><div id="row-${B}"`), 5000, 'B added live')
    await h.assign(c.id, [B])
    await eventually(() => s.text().includes(`<div id="row-${A}" hx-swap-oob="delete"></div>`), 5000, 'A removed live')
    expect(s.text()).not.toContain(`id="row-${C}"`)
    s.ws.close()
  })

  test('the streamer page socket follows its one streamer', async () => {
    const s = await socket(h.admin, `?slug=${B}`)
    await eventually(() => s.text().includes(`id="row-${B}"`), 5000, 'its row')
    publish(A, { title: 'not this one' })
    publish(B, { title: 'this one' })
    await eventually(() => s.text().includes('this one'), 5000, 'its change')
    expect(s.text()).not.toContain('not this one')
    s.ws.close()
  })

  test('revoking the session closes its sockets with 4401 at once', async () => {
    const c = await h.user('viewer')
    const s = await socket(c)
    const sessions = (await (await c.fetch('/api/v1/sessions')).json()) as { session_id: string; current: boolean }[]
    const mine = sessions.find((x) => x.current)!.session_id
    expect((await h.admin.fetch(`/api/v1/sessions/${mine}`, { method: 'DELETE' })).status).toBe(204)
    expect(await s.closed).toBe(4401)
    expect((await c.fetch('/api/v1/me')).status).toBe(401)
  })

  test('revoking an API key closes the sockets it opened with 4401 at once; other sockets stay', async () => {
    const u = await h.user('user')
    await h.assign(u.id, [C])
    const [revoked, kept] = [await h.apiKey(u, 'read'), await h.apiKey(u, 'read')]
    const s = await socket({ apiKey: revoked })
    const other = await socket({ apiKey: kept })
    await eventually(() => s.text().includes(`id="row-${C}"`), 5000, 'the snapshot')
    const keys = (await (await u.fetch('/api/v1/api-keys')).json()) as { id: number; prefix: string }[]
    const k = keys.find((x) => revoked.startsWith(`kmk_${x.prefix}_`))!
    const revokedAt = Date.now()
    expect((await u.fetch(`/api/v1/api-keys/${k.id}`, { method: 'DELETE' })).status).toBe(204)
    expect(await s.closed).toBe(4401)
    expect(Date.now() - revokedAt).toBeLessThan(1000) // auth's message, not the periodic re-check
    const stillOpen = await Promise.race([other.closed, Bun.sleep(300).then(() => 'open')])
    expect(stillOpen).toBe('open')
    other.ws.close()
  })

  test('disabling a user closes their sockets', async () => {
    const c = await h.user('viewer')
    const s = await socket(c)
    expect((await h.admin.fetch(`/api/v1/users/${c.id}`, { method: 'PATCH', json: { disabled: true } })).status).toBe(200)
    expect(await s.closed).toBe(4401)
  })
})

describe('bursts', () => {
  test('a whole-fleet change reaches every socket as the latest rows, paced, without closing anyone', async () => {
    const u = await h.user('user')
    await h.assign(u.id, [A, B, C])
    const sockets = await Promise.all([socket(h.admin), socket(h.admin), socket(u), socket(u)])
    for (const s of sockets) await eventually(() => s.text().includes(`id="row-${C}"`), 5000, 'the snapshot')
    for (const s of sockets) s.messages.length = 0
    // 120 changes in one go (more than the per-publish burst size): 40 streamers × 3 versions.
    for (let v = 1; v <= 3; v++)
      for (let i = 0; i < 40; i++) {
        const slug = `burst-${i}`
        h.poller.ctx.nc.publish(subjects.status(slug), JSON.stringify({ ...h.statuses.get(A)!, slug, username: slug, live: true, stale: false, viewers: v * 1000 + i, checked_at: new Date(Date.now() + v).toISOString() }))
      }
    publish(A, { viewers: 31337, live: true })
    const admin = sockets[0]!
    await eventually(() => admin.text().includes('data-viewers="3039"') && admin.text().includes('data-viewers="31337"'), 5000, 'the burst')
    const closed = await Promise.race([Promise.any(sockets.map((s) => s.closed)), Bun.sleep(300).then(() => null)])
    expect(closed).toBeNull()
    // Users see only their own streamers, never the burst's.
    await eventually(() => sockets[2]!.text().includes('data-viewers="31337"'), 5000, 'the user’s own change')
    expect(sockets[2]!.text()).not.toContain('burst-')
    for (const s of sockets) s.ws.close()
    for (let i = 0; i < 40; i++) h.poller.ctx.nc.publish(subjects.streamerRemoved, JSON.stringify({ slug: `burst-${i}` }))
  })
})
