// Dashboard WebSocket clients in their own process (so their CPU is not the benchmark's),
// driven over IPC by bench/lib/ws-fleet.ts: a scenario announces each change it makes
// ("expect"), and this process records when each of its clients first showed it.
// Reports are mergeable (counts, latest arrival, a latency histogram) so a fleet can be
// spread over several processes.
import { FeedClient } from './lib/feed-client.ts'
import type { RowUpdate } from './lib/feed-parser.ts'
import { Histogram } from './lib/histogram.ts'
import type { FleetReply, FleetRequest } from './lib/ws-fleet.ts'

type Expectation = { id: number; slug: number; live: boolean; t0: number; arrivals: Float64Array; got: number }

let clients: FeedClient[] = []
let slugIndex = new Map<string, number>()
let S = 0
let state = new Uint8Array(0) // client*S + slug → 0 unknown, 1 offline, 2 live
let changedAt = new Float64Array(0) // when that client's row last changed live-ness
let lastCrc = new Uint32Array(0) // the last row text per client and slug (duplicate detection)
let known = new Int32Array(0) // rows each client has received at least once
let duplicates = 0
let fragments = 0
const pending = new Map<number, Expectation[]>() // slug → open expectations
const done: Expectation[] = []

const send = (m: FleetReply) => process.send!(m)

function onUpdate(c: number, updates: RowUpdate[], snapshot: boolean, at: number) {
  for (const u of updates) {
    const i = slugIndex.get(u.slug)
    if (i === undefined || !u.row) continue
    const k = c * S + i
    fragments++
    // The same row text twice in a row (outside a snapshot) is a duplicate delivery.
    if (!snapshot && u.crc === lastCrc[k]) duplicates++
    lastCrc[k] = snapshot ? 0 : u.crc
    const v = u.row.live ? 2 : 1
    if (state[k] === v) continue
    if (state[k] === 0) known[c]!++
    state[k] = v
    changedAt[k] = at
    const open = pending.get(i)
    if (open) for (const e of open) if (e.live === u.row.live && at >= e.t0 && Number.isNaN(e.arrivals[c]!)) (e.arrivals[c] = at), e.got++
  }
}

async function start(url: string, cookie: string, n: number, slugs: string[]) {
  slugIndex = new Map(slugs.map((s, i) => [s, i]))
  S = slugs.length
  state = new Uint8Array(n * S)
  changedAt = new Float64Array(n * S)
  lastCrc = new Uint32Array(n * S)
  known = new Int32Array(n)
  const t0 = performance.now()
  // Open in small groups: each connection starts with a full catch-up of every row.
  for (let c = 0; c < n; c += 25) {
    const group = Array.from({ length: Math.min(25, n - c) }, (_, j) => {
      const idx = c + j
      const fc = new FeedClient(url, () => cookie, (u, snap, at) => onUpdate(idx, u, snap, at))
      clients[idx] = fc
      return fc.start(120_000)
    })
    await Promise.all(group)
  }
  // The gateway catches each socket up in paced chunks after the first: wait for every row.
  const deadline = performance.now() + 300_000
  while (known.some((k) => k < S)) {
    if (performance.now() > deadline) throw new Error(`after 300 s some sockets still lack rows (fewest: ${Math.min(...known)} of ${S})`)
    await Bun.sleep(100)
  }
  send({ type: 'ready', clients: clients.length, ms: performance.now() - t0 })
}

function expect(changes: { id: number; slug: string; live: boolean; t0: number }[]) {
  for (const ch of changes) {
    const i = slugIndex.get(ch.slug)
    if (i === undefined) continue
    const e: Expectation = { id: ch.id, slug: i, live: ch.live, t0: ch.t0, arrivals: new Float64Array(clients.length).fill(NaN), got: 0 }
    // The fragment may have beaten this message here.
    for (let c = 0; c < clients.length; c++) {
      const k = c * S + i
      if (state[k] === (ch.live ? 2 : 1) && changedAt[k]! >= ch.t0) (e.arrivals[c] = changedAt[k]!), e.got++
    }
    const list = (pending.get(i) ?? []).filter((x) => x.got < clients.length) // finished ones need no more matching
    list.push(e)
    pending.set(i, list)
    done.push(e)
  }
}

function report(): FleetReply {
  const pairs = new Histogram()
  const changes = done.map((e) => {
    let last = 0
    for (const a of e.arrivals) {
      if (Number.isNaN(a)) continue
      pairs.add(a - e.t0)
      if (a > last) last = a
    }
    return { id: e.id, got: e.got, lastAt: e.got ? last : null }
  })
  return {
    type: 'report',
    clients: clients.length,
    connected: clients.filter((c) => c.connected).length,
    reconnects: clients.reduce((n, c) => n + Math.max(0, c.connects - 1), 0),
    duplicates,
    fragments,
    changes,
    pairs: pairs.toJSON(),
  }
}

process.on('message', (m: FleetRequest) => {
  void (async () => {
    try {
      switch (m.type) {
        case 'start':
          return await start(m.url, m.cookie, m.clients, m.slugs)
        case 'expect':
          return expect(m.changes)
        case 'report':
          return send(report())
        case 'progress':
          return send({ type: 'progress', incomplete: done.filter((e) => e.got < clients.length).length })
        case 'reset':
          pending.clear()
          done.length = 0
          duplicates = 0
          fragments = 0
          return send({ type: 'ok' })
        case 'stop':
          for (const c of clients) c.stop()
          clients = []
          send({ type: 'ok' })
          return setTimeout(() => process.exit(0), 50)
      }
    } catch (e) {
      send({ type: 'error', message: (e as Error).message })
    }
  })()
})
send({ type: 'hello' })
