import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eventually } from '../../harness/services.ts'
import { readSse } from '../../harness/sse.ts'
import { startGatewayHarness, type Client, type GatewayHarness } from './harness.ts'

// A session that expires (its absolute lifetime, or idle for longer than SESSION_IDLE_S) ends
// the connections it opened, not only its next HTTP request: an open dashboard socket closes
// with 4401 (the page goes to /login) and a cookie SSE stream ends. Keeping a socket open is
// not activity: it must not keep an idle session alive.

let h: GatewayHarness

beforeAll(async () => {
  h = await startGatewayHarness({ channels: 2 })
  await h.monitor(h.slugs()[0]!)
}, 90_000)
afterAll(async () => {
  await h?.stop()
})

/** The user's one session, read from the database (no request, so the gateway has not cached it yet). */
async function sessionOf(c: Client): Promise<string> {
  const [row] = await h.env.db.sql<{ id_hash: string }[]>`select id_hash from user_sessions where user_id = ${c.id}`
  return row!.id_hash
}

type Socket = { ws: WebSocket; closed: Promise<{ code: number; reason: string }>; isOpen: () => boolean }
async function socket(c: Client): Promise<Socket> {
  const ws = new WebSocket(`${h.base.replace('http', 'ws')}/ws`, { headers: { cookie: c.cookie } } as never)
  let open = true
  const closed = new Promise<{ code: number; reason: string }>((r) => (ws.onclose = (e) => ((open = false), r({ code: e.code, reason: e.reason }))))
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)))
  return { ws, closed, isOpen: () => open }
}

function sse(res: Response) {
  const events: { event: string; data: unknown }[] = []
  let done = false
  void readSse(res.body!, (event, data) => void events.push({ event, data: JSON.parse(data) })).then(() => (done = true))
  return { events, closed: () => done, cancel: () => res.body?.cancel().catch(() => {}) }
}

describe('open connections end with their session', () => {
  test('at the end of its absolute lifetime, the socket closes with 4401', async () => {
    const c = await h.user('viewer')
    const id = await sessionOf(c)
    // As if the session had been created SESSION_MAX_S ago, minus two seconds.
    await h.env.db.sql`update user_sessions set expires_at = now() + interval '2 seconds' where id_hash = ${id}`
    const s = await socket(c)
    expect(await s.closed).toEqual({ code: 4401, reason: 'session expired' })
    expect((await c.fetch('/api/v1/me')).status).toBe(401)
  }, 30_000)

  test('idle past the timeout, sockets and the SSE stream end; a session in use stays open and is not kept alive', async () => {
    // The default re-check is a minute; here it is a second so the test need not wait that long.
    const watch = h.gw.result.deps.watch
    watch.recheckMs = 1000
    watch.tickMs = 200
    const idle = await h.user('viewer')
    const busy = await h.user('viewer')
    const [idleId, busyId] = [await sessionOf(idle), await sessionOf(busy)]
    const idleSocket = await socket(idle)
    const busySocket = await socket(busy)
    const stream = sse(await idle.fetch('/api/v1/stream'))
    await eventually(() => stream.events.find((e) => e.event === 'snapshot'), 5000, 'the snapshot')

    // `busy` was last active 40 s ago (past the 30 s touch interval, far from the idle timeout).
    await h.env.db.sql`update user_sessions set last_seen_at = now() - interval '40 seconds' where id_hash = ${busyId}`
    // `idle` has been idle for longer than auth's SESSION_IDLE_S.
    await h.env.db.sql`update user_sessions set last_seen_at = now() - make_interval(secs => ${86_400 + 5}) where id_hash = ${idleId}`

    expect(await idleSocket.closed).toEqual({ code: 4401, reason: 'session expired' })
    await eventually(() => stream.closed(), 5000, 'the stream to end')
    expect(stream.events.at(-1)).toEqual({ event: 'end', data: { reason: 'session expired' } })

    // Several re-checks later the busy socket is still open, and they did not count as activity.
    await Bun.sleep(3000)
    expect(busySocket.isOpen()).toBe(true)
    const [row] = await h.env.db.sql<{ age: number }[]>`select extract(epoch from now() - last_seen_at)::int as age from user_sessions where id_hash = ${busyId}`
    expect(row!.age).toBeGreaterThanOrEqual(40)
    busySocket.ws.close()
  }, 30_000)
})
