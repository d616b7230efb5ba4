import { afterAll, beforeAll, expect, test } from 'bun:test'
import { subjects } from '../../../shared/src/contracts/names.ts'
import { eventually } from '../../harness/services.ts'
import { startGatewayHarness, type GatewayHarness } from './harness.ts'

// A burst reaches many dashboards through the same catch-up chunks (built once, reused for
// every socket: services/gateway/src/live/chunk-memo.ts). What a user would notice if that went
// wrong: a row left at an older version because a chunk built before a change was sent after it.

let h: GatewayHarness
let A: string

beforeAll(async () => {
  h = await startGatewayHarness({ channels: 3 })
  A = h.slugs()[0]!
  await h.monitor(A)
}, 90_000)
afterAll(async () => {
  await h?.stop()
})

type Socket = { ws: WebSocket; messages: string[]; closed: Promise<number>; text: () => string }
async function socket(cookie: string): Promise<Socket> {
  const ws = new WebSocket(`${h.base.replace('http', 'ws')}/ws`, { headers: { cookie } } as never)
  const messages: string[] = []
  ws.onmessage = (e) => messages.push(String(e.data))
  const closed = new Promise<number>((r) => (ws.onclose = (e) => r(e.code)))
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)))
  return { ws, messages, closed, text: () => messages.join('\n') }
}

/** The viewers of the last version of a row a socket received (null: never received). */
function lastViewers(text: string, slug: string): number | null {
  const at = text.lastIndexOf(`id="row-${slug}"`)
  if (at < 0) return null
  const m = text.slice(at, text.indexOf('</div>', at) + 6 + 2000).match(/data-viewers="(\d+)"/)
  return m ? Number(m[1]) : null
}

test('every dashboard ends a burst with the latest version of every row, changes arriving between chunks included', async () => {
  const sockets = await Promise.all(Array.from({ length: 12 }, () => socket(h.admin.cookie)))
  for (const s of sockets) await eventually(() => s.text().includes(`id="row-${A}"`), 5000, 'the snapshot')
  const slugs = Array.from({ length: 150 }, (_, i) => `fan-${i}`)
  const status = (slug: string, viewers: number) =>
    JSON.stringify({ ...h.statuses.get(A)!, slug, username: slug, live: true, stale: false, viewers, checked_at: new Date(Date.now() + viewers).toISOString() })
  // Three versions, each published while sockets are still catching up on the one before.
  for (let v = 1; v <= 3; v++) {
    for (const [i, slug] of slugs.entries()) h.poller.ctx.nc.publish(subjects.status(slug), status(slug, v * 1000 + i))
    await h.poller.ctx.nc.flush()
    await Bun.sleep(v === 3 ? 0 : 15)
  }
  const latest = (i: number) => 3000 + i
  await eventually(() => sockets.every((s) => slugs.every((slug, i) => lastViewers(s.text(), slug) === latest(i))), 15_000, 'the latest rows at every socket')
  const closed = await Promise.race([Promise.any(sockets.map((s) => s.closed)), Bun.sleep(300).then(() => null)])
  expect(closed).toBeNull()
  for (const s of sockets) s.ws.close()
  for (const slug of slugs) h.poller.ctx.nc.publish(subjects.streamerRemoved, JSON.stringify({ slug }))
})
