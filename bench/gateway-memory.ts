// gateway-memory: where the gateway's memory goes per streamer and per dashboard socket. The
// gateway (bundled, as `bun run start` runs it; `--sources` from its sources) with auth, on a
// private PostgreSQL and nats-server, no poller: the benchmark publishes every status on
// kick.status.<slug> and writes it to the KV, as the poller does. Per size (`--sizes`, default
// 1,000 and 5,000 streamers, a third live): the statuses, a user with every streamer assigned,
// `--renders` dashboard renders as the admin and as that user, `--load` s of changes at
// `--rate`/s, then `--idle` s → RSS (median of the last 10 s, sampled every 500 ms as
// bench/memory.ts) and the JS heap after a full collection (bench/lib/heap-probe.ts, preloaded:
// heapStats() from bun:jsc, objects by type). Then `--sockets` dashboard sockets (half the
// admin's, half the user's, in client processes, connected with the page's cursor, or with
// `--snapshot` without one, so that each gets every row as a reconnect after a restart does), the same
// load and idle, and the same figures again. Per streamer: the slope between the smallest and
// the largest size without sockets; per socket: with against without, at the largest size.
//
//   bun bench/gateway-memory.ts [--sizes 1000,5000] [--sockets 1000] [--load 20] [--idle 30] [--rate 20] [--renders 10] [--snapshot] [--sources] [--quick]
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import type { StreamerStatus } from '../shared/src/contracts/status.ts'
import { subjects } from '../shared/src/contracts/names.ts'
import { ensureNatsResources } from '../shared/src/nats-resources.ts'
import { BuildError, buildBundles } from '../scripts/infra/bundles.ts'
import { runFromBundles } from '../scripts/infra/processes.ts'
import { flag, int, num, parseArgs } from './lib/args.ts'
import { benchOrClients } from './lib/client-procs.ts'
import { startGatewayOnly } from './lib/gateway-only.ts'
import { heapColumns, heapProbeEnv, mb, probeHeap, slope, typeGrowth, type Heap } from './lib/heap-report.ts'
import { rssMb } from './lib/rss.ts'
import { median, printTable, writeResult } from './lib/stats.ts'

type ToClient = { type: 'start'; url: string; cookies: string[]; n: number } | { type: 'count' }
type FromClient = { type: 'hello' } | { type: 'ready'; open: number } | { type: 'count'; open: number; messages: number }

/** Client process: holds its share of the sockets open and counts what arrives. */
function clientMode() {
  let open = 0
  let messages = 0
  const sockets: WebSocket[] = []
  process.on('message', async (m: ToClient) => {
    if (m.type === 'count') return process.send!({ type: 'count', open, messages } satisfies FromClient)
    await Promise.all(Array.from({ length: m.n }, (_, i) => new Promise<void>((resolve) => {
      const ws = new WebSocket(m.url, { headers: { cookie: m.cookies[i % m.cookies.length]! } } as never)
      ws.onopen = () => (open++, resolve())
      ws.onmessage = () => messages++
      ws.onclose = () => (open--, resolve())
      sockets.push(ws)
    })))
    process.send!({ type: 'ready', open } satisfies FromClient)
  })
  process.send!({ type: 'hello' } satisfies FromClient)
}

function status(i: number, live: boolean): StreamerStatus {
  const t = new Date().toISOString()
  return {
    slug: `bench_${String(i).padStart(5, '0')}`, kick_user_id: 100_000 + i, username: `Bench${i}`, live, viewers: live ? 50 + ((i * 7919) % 20_000) : 0,
    title: live ? `stream number ${i} | !discord !socials` : `last stream ${i}`, category: { id: i % 12, name: ['Just Chatting', 'Slots', 'Chess', 'Fortnite', 'Music', 'IRL'][i % 6]! },
    started_at: live ? t : null, stream_id: null, viewers_hidden: false, profile_picture_url: i % 2 ? `https://files.kick.com/images/user/${100_000 + i}/profile_image/conversion/abc-fullsize.webp` : null,
    source: 'api', checked_at: t, changed_at: t, stale: false,
  }
}

type Phase = { rss_mb_idle: number | null; heap: Heap; messages?: number; open?: number }
type Run = { streamers: number; sockets0: Phase; socketsC: Phase }

async function bench() {
  const a = parseArgs({
    sizes: z.string().regex(/^\d+(,\d+)*$/, 'comma-separated streamer counts').default('1000,5000'),
    sockets: int(1000, 0, 10_000), load: int(20, 5, 600), idle: int(30, 10, 600), rate: num(20, 0.1, 1000), renders: int(10, 0, 1000),
    snapshot: flag, sources: flag, quick: flag,
  })
  const sizes = a.sizes.split(',').map(Number).sort((x, y) => x - y)
  const loadS = a.quick ? 10 : a.load
  const idleS = a.quick ? 15 : a.idle
  const loadAvg = (await Bun.file('/proc/loadavg').text()).split(' ').slice(0, 3).map(Number)
  if (!a.sources) {
    const built = await buildBundles().catch((e: unknown) => {
      console.error(e instanceof BuildError ? `build failed: ${e.message}` : e)
      process.exit(1)
    })
    console.log(`built ${built.join(', ')}`)
    runFromBundles(true)
  }
  const runs: Run[] = []
  for (const n of sizes) runs.push(await measure(n))

  printTable(`gateway-memory (${a.sources ? 'sources' : 'bundled'}${a.snapshot ? ', sockets from a snapshot' : ''}): ${a.renders} renders each, ${loadS} s of changes at ${a.rate}/s, then ${idleS} s idle; load average at start ${loadAvg.join(' ')}`,
    runs.flatMap((r) => [r.sockets0, r.socketsC].map((p, i) => ({
      streamers: r.streamers, sockets: i ? (p.open ?? 0) : 0, 'RSS after idle MB': p.rss_mb_idle, ...heapColumns(p.heap),
    }))))
  const lo = runs[0]!, hi = runs.at(-1)!
  const dn = hi.streamers - lo.streamers
  const perStreamer = dn > 0 ? { rss_idle_bytes: rssSlope(lo.sockets0, hi.sockets0, dn), ...slope(lo.sockets0.heap, hi.sockets0.heap, dn) } : null
  const open = hi.socketsC.open ?? 0
  const perSocket = open > 0 ? { rss_idle_bytes: rssSlope(hi.sockets0, hi.socketsC, open), ...slope(hi.sockets0.heap, hi.socketsC.heap, open) } : null
  const streamerTypes = dn > 0 ? typeGrowth([{ label: `at ${lo.streamers}`, heap: lo.sockets0.heap }, { label: `at ${hi.streamers}`, heap: hi.sockets0.heap }], dn, 'streamer') : []
  const socketTypes = open > 0 ? typeGrowth([{ label: '0 sockets', heap: hi.sockets0.heap }, { label: `${open} sockets`, heap: hi.socketsC.heap }], open, 'socket') : []
  if (perStreamer) {
    printTable(`per streamer, ${lo.streamers} → ${hi.streamers}, no sockets`, [perStreamer])
    printTable('objects by type after a full collection (the 20 that grow most with the streamers)', streamerTypes)
  }
  if (perSocket) {
    printTable(`per socket, 0 → ${open} at ${hi.streamers} streamers`, [perSocket])
    printTable('objects by type after a full collection (the 20 that grow most with the sockets)', socketTypes)
  }
  console.log(`\nwritten: ${writeResult('gateway-memory', { options: { sizes, sockets: a.sockets, snapshot: a.snapshot, loadS, idleS, rate: a.rate, renders: a.renders, code: a.sources ? 'sources' : 'bundled' }, load_average_at_start: loadAvg, runs, per_streamer: perStreamer, per_socket: perSocket, streamer_types: streamerTypes, socket_types: socketTypes })}`)

  async function measure(n: number): Promise<Run> {
    const probeFile = join(tmpdir(), `gateway-heap-${process.pid}-${n}.json`)
    const gw = await startGatewayOnly({ LOG_LEVEL: 'warn', ...heapProbeEnv(probeFile) })
    try {
      const { nc, gatewayUrl: base, gatewayPid: pid } = gw
      const { kv } = await ensureNatsResources(nc)
      const statuses = Array.from({ length: n }, (_, i) => status(i, i % 3 === 0))
      const put = (s: StreamerStatus) => {
        nc.publish(subjects.status(s.slug), JSON.stringify(s))
        void kv.put(s.slug, JSON.stringify(s))
      }
      for (const s of statuses) put(s)
      await nc.flush()
      const admin = await gw.login()
      for (let i = 0; ; i++) {
        const r = await fetch(`${base}/api/v1/streamers?limit=1`, { headers: { cookie: admin.cookie } })
        if (Number(r.headers.get('x-total-count')) === n) break
        if (i > 400) throw new Error('the gateway never saw every streamer')
        await Bun.sleep(50)
      }
      const api = (method: string, path: string, body: unknown) =>
        fetch(base + path, { method, headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      const u = (await (await api('POST', '/api/v1/users', { username: 'agency', password: 'bench-user-password', role: 'user' })).json()) as { id: number }
      const assigned = await api('PUT', `/api/v1/users/${u.id}/streamers`, { slugs: statuses.map((s) => s.slug) })
      if (!assigned.ok) throw new Error(`assign: ${assigned.status} ${await assigned.text()}`)
      const user = await gw.login({ username: 'agency', password: 'bench-user-password' })

      // Load: pages as both, then changes (one streamer at a time, as the poller publishes them).
      const render = async () => {
        for (let i = 0; i < a.renders; i++) {
          for (const [cookie, path] of [[admin.cookie, '/'], [user.cookie, '/?sort=name&group=category']] as const) {
            const r = await fetch(base + path, { headers: { cookie } })
            await r.arrayBuffer()
            if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`)
          }
        }
      }
      let k = 0
      const changes = async () => {
        const end = performance.now() + loadS * 1000
        while (performance.now() < end) {
          const i = (k * 7919) % n
          const s = { ...statuses[i]!, live: true, viewers: 100 + ((k * 31) % 30_000), title: `change ${k++}`, checked_at: new Date().toISOString() }
          statuses[i] = s
          put(s)
          await Bun.sleep(1000 / a.rate)
        }
      }
      const idleRss = async () => {
        const rss: { t: number; mb: number }[] = []
        const t0 = performance.now()
        const sampler = setInterval(() => {
          const v = rssMb(pid)
          if (v !== null) rss.push({ t: performance.now() - t0, mb: v })
        }, 500)
        await Bun.sleep(idleS * 1000)
        clearInterval(sampler)
        const v = median(rss.filter((s) => s.t >= idleS * 1000 - 10_000).map((s) => s.mb))
        return v === null ? null : Math.round(v * 10) / 10
      }
      await render()
      await changes()
      const sockets0: Phase = { rss_mb_idle: await idleRss(), heap: await probeHeap(pid, probeFile, 'gateway') }
      console.log(`  ${n} streamers, no sockets: RSS after idle ${sockets0.rss_mb_idle} MB, JS heap ${mb(sockets0.heap.heapSize)} MB, ${sockets0.heap.objectCount} objects`)
      rmSync(probeFile, { force: true })

      const html = await (await fetch(`${base}/`, { headers: { cookie: admin.cookie } })).text()
      const since = html.match(/\/ws\?since=([0-9a-f]{8}\.\d+)/)![1]
      const procs = await gw.clients<ToClient, FromClient>(2)
      const url = `${base.replace('http', 'ws')}/ws${a.snapshot ? '' : `?since=${since}`}`
      await procs.askAll((p) => ({ type: 'start', url, cookies: [admin.cookie, user.cookie], n: procs.share(p, a.sockets) }), 'ready', 120_000)
      await render()
      await changes()
      const rss_mb_idle = await idleRss()
      const counts = await procs.askAll({ type: 'count' }, 'count', 30_000)
      const socketsC: Phase = { rss_mb_idle, heap: await probeHeap(pid, probeFile, 'gateway'), open: counts.reduce((x, c) => x + c.open, 0), messages: counts.reduce((x, c) => x + c.messages, 0) }
      console.log(`  ${n} streamers, ${socketsC.open} sockets (${socketsC.messages} messages): RSS after idle ${socketsC.rss_mb_idle} MB, JS heap ${mb(socketsC.heap.heapSize)} MB, ${socketsC.heap.objectCount} objects`)
      return { streamers: n, sockets0, socketsC }
    } finally {
      await gw.stop()
      rmSync(probeFile, { force: true })
    }
  }
}

function rssSlope(lo: Phase, hi: Phase, dn: number): number | null {
  return lo.rss_mb_idle !== null && hi.rss_mb_idle !== null ? Math.round(((hi.rss_mb_idle - lo.rss_mb_idle) * 2 ** 20) / dn) : null
}

await benchOrClients(bench, clientMode)
