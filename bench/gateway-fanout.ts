// gateway-fanout: the gateway alone under dashboard load (docs/design.md#targets). With 1,000 streamers
// and 1,000 dashboard sockets (in a separate client process, so their CPU is not the
// gateway's): dashboard page render time, fan-out latency from a `kick.status` publish to
// receipt at every socket, a whole-fleet change, and the gateway's RSS.
//
//   bun bench/gateway-fanout.ts [--streamers 1000] [--clients 1000] [--changes 300] [--rate 50] [--client-procs 2] [--quick]
//
// Real processes: auth and gateway (no poller: the benchmark publishes statuses on NATS the
// way the poller does), a private PostgreSQL and nats-server. Half the sockets are an admin
// (one `all` topic), half a user with every streamer assigned (one topic per streamer).
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { StreamerStatus } from '../shared/src/contracts/status.ts'
import { subjects } from '../shared/src/contracts/names.ts'
import { DashQuery } from '../services/gateway/src/views/dashboard-view.ts'
import { dashboardPage } from '../services/gateway/src/views/dashboard.ts'
import { ViewerTrend } from '../services/gateway/src/live/viewer-trend.ts'
import { benchOrClients } from './lib/client-procs.ts'
import { startGatewayOnly } from './lib/gateway-only.ts'
import { shortSummary as summary, type ShortSummary } from './lib/stats.ts'

const nowMs = () => performance.timeOrigin + performance.now()
const RESULTS = join(import.meta.dir, 'results')

const r1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10)
const rssMb = (pid: number | null) => {
  try {
    const m = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : null
  } catch {
    return null
  }
}

// ---------------------------------------------------------------- client mode (child process)
type ToClient = { type: 'start'; url: string; cookies: string[]; n: number } | { type: 'report' } | { type: 'fleet'; expect: number }
type FromClient = { type: 'hello' } | { type: 'ready'; open: number; ms: number } | { type: 'report'; latencies: number[]; got: number; closes: number; fleet: number[] | null; fleetMissing: number }

async function clientMode() {
  const latencies: number[] = []
  let closes = 0
  let got = 0
  const marker = new Map<string, number[]>() // message text → send times inside it (shared parse)
  let fleet: { expect: number; seen: Uint16Array; at: Float64Array; t0: number } | null = null
  const sockets: WebSocket[] = []
  const onMessage = (i: number, text: string) => {
    const at = nowMs()
    let sent = marker.get(text)
    if (!sent) {
      sent = [...text.matchAll(/bench#\d+@(\d+\.\d+)/g)].map((m) => Number(m[1]))
      const flips = (text.match(/fleet#\d+@/g) ?? []).length
      if (flips) sent.push(-flips)
      if (marker.size > 4096) marker.clear()
      marker.set(text, sent)
    }
    for (const t of sent) {
      if (t < 0 && fleet) {
        fleet.seen[i]! += -t
        if (fleet.seen[i] === fleet.expect) fleet.at[i] = at - fleet.t0
      } else if (t > 0) {
        latencies.push(at - t)
        got++
      }
    }
  }
  process.on('message', async (m: ToClient) => {
    if (m.type === 'start') {
      const t0 = performance.now()
      let open = 0
      await Promise.all(
        Array.from({ length: m.n }, (_, i) =>
          new Promise<void>((resolve) => {
            const ws = new WebSocket(m.url, { headers: { cookie: m.cookies[i % m.cookies.length]! } } as never)
            ws.onopen = () => (open++, resolve())
            ws.onmessage = (e) => onMessage(i, String(e.data))
            ws.onclose = () => (closes++, resolve())
            sockets.push(ws)
          }),
        ),
      )
      process.send!({ type: 'ready', open, ms: Math.round(performance.now() - t0) } satisfies FromClient)
    } else if (m.type === 'fleet') {
      fleet = { expect: m.expect, seen: new Uint16Array(sockets.length), at: new Float64Array(sockets.length).fill(NaN), t0: nowMs() }
    } else if (m.type === 'report') {
      const f = fleet ? [...fleet.at].filter((x) => !Number.isNaN(x)) : null
      process.send!({ type: 'report', latencies, got, closes, fleet: f, fleetMissing: fleet ? sockets.length - f!.length : 0 } satisfies FromClient)
      latencies.length = 0
      got = 0
    }
  })
  process.send!({ type: 'hello' } satisfies FromClient)
}

// ---------------------------------------------------------------- benchmark
function arg(name: string, d: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : d
}

function fakeStatus(i: number, live: boolean): StreamerStatus {
  const slug = `bench_${String(i).padStart(5, '0')}`
  const t = new Date().toISOString()
  return {
    slug, kick_user_id: 100_000 + i, username: `Bench${i}`, live, viewers: live ? 50 + ((i * 7919) % 20_000) : 0,
    title: live ? `stream number ${i} | !discord !socials` : `last stream ${i}`, category: { id: i % 12, name: ['Just Chatting', 'Slots', 'Chess', 'Fortnite', 'Music', 'IRL', 'Valorant', 'GTA V', 'Poker', 'Art', 'Sports', 'Rust'][i % 12]! },
    started_at: live ? t : null, stream_id: null, viewers_hidden: false, profile_picture_url: null, source: 'api', checked_at: t, changed_at: t, stale: false,
  }
}

async function bench() {
  const quick = process.argv.includes('--quick')
  const N = arg('streamers', 1000)
  const C = arg('clients', 1000)
  const CHANGES = arg('changes', quick ? 100 : 300)
  const RATE = arg('rate', 50)
  // One process reading 1,000 sockets adds its own queueing to the tail; two halve it.
  const PROCS = arg('client-procs', 2)
  const started = Date.now()
  // The box is shared: record how busy it was, since every figure depends on it.
  const loadAvg = require('node:fs').readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number)
  console.log(`gateway-fanout: ${N} streamers, ${C} sockets, ${CHANGES} changes at ${RATE}/s`)

  const gw = await startGatewayOnly()
  const { nc, gatewayUrl: base, gatewayPid: gwPid } = gw
  const idle = quick ? 3000 : 10_000
  const rss: Record<string, number | null> = { started: rssMb(gwPid) }
  try {
    // 1,000 streamers, a third live, as the poller would publish them.
    const statuses = Array.from({ length: N }, (_, i) => fakeStatus(i, i % 3 === 0))
    for (const s of statuses) nc.publish(subjects.status(s.slug), JSON.stringify(s))
    await nc.flush()

    const admin = await gw.login()
    const api = (method: string, path: string, body: unknown) =>
      fetch(base + path, { method, headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    for (let i = 0; ; i++) {
      const r = await fetch(`${base}/api/v1/streamers?limit=1`, { headers: { cookie: admin.cookie } })
      if (Number(r.headers.get('x-total-count')) === N) break
      if (i > 200) throw new Error('the gateway never saw every streamer')
      await Bun.sleep(50)
    }
    const u = (await (await api('POST', '/api/v1/users', { username: 'agency', password: 'bench-user-password', role: 'user' })).json()) as { id: number }
    const put = await api('PUT', `/api/v1/users/${u.id}/streamers`, { slugs: statuses.map((s) => s.slug) })
    if (!put.ok) throw new Error(`assign: ${put.status} ${await put.text()}`)
    const user = await gw.login({ username: 'agency', password: 'bench-user-password' })

    // ---- page render: over HTTP (what a browser waits for) and the render function alone.
    const renderHttp = async (cookie: string, path: string, n: number) => {
      const ms: number[] = []
      let bytes = 0
      for (let i = 0; i < n; i++) {
        const t0 = performance.now()
        const r = await fetch(base + path, { headers: { cookie } })
        bytes = (await r.arrayBuffer()).byteLength
        ms.push(performance.now() - t0)
        if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`)
      }
      // What travels: the same page without letting fetch undo the gzip.
      const wire = await fetch(base + path, { headers: { cookie, 'accept-encoding': 'gzip' }, decompress: false } as RequestInit)
      const wireKb = Math.round((await wire.arrayBuffer()).byteLength / 1024)
      return { ...summary(ms.slice(5)), kb: Math.round(bytes / 1024), wire_kb: wireKb }
    }
    const renders = quick ? 60 : 200
    const pageAdmin = await renderHttp(admin.cookie, '/', renders)
    const pageUser = await renderHttp(user.cookie, '/?sort=name&group=category', renders)
    const trend = new ViewerTrend()
    const q = DashQuery.parse({})
    const fn: number[] = []
    for (let i = 0; i < renders; i++) {
      const t0 = performance.now()
      dashboardPage({ user: { id: 1, username: 'admin', role: 'admin', display_name: null }, csrf: 'x', statuses, q, cursor: 'x.1', extras: trend })
      fn.push(performance.now() - t0)
    }
    const renderFn = summary(fn.slice(5))
    rss.after_page_renders = rssMb(gwPid)
    await Bun.sleep(idle)
    rss.idle_1000_streamers = rssMb(gwPid)

    // ---- sockets in their own process; they connect with the page's cursor (no snapshot).
    const html = await (await fetch(`${base}/`, { headers: { cookie: admin.cookie } })).text()
    const since = html.match(/\/ws\?since=([0-9a-f]{8}\.\d+)/)![1]
    const procs = await gw.clients<ToClient, FromClient>(PROCS)
    const url = `${base.replace('http', 'ws')}/ws?since=${since}`
    const readies = await procs.askAll((p) => ({ type: 'start', url, cookies: [admin.cookie, user.cookie], n: procs.share(p, C) }), 'ready', 120_000)
    const ready = { open: readies.reduce((n, r) => n + r.open, 0), ms: Math.max(...readies.map((r) => r.ms)) }
    await Bun.sleep(idle)
    rss.idle_with_sockets = rssMb(gwPid)

    // ---- fan-out: one change at a time, at RATE per second.
    const gap = 1000 / RATE
    const t0 = performance.now()
    for (let k = 0; k < CHANGES; k++) {
      const i = Math.floor(Math.random() * N)
      const s = { ...statuses[i]!, viewers: (statuses[i]!.viewers ?? 0) + 1 + k, title: `bench#${k}@${nowMs().toFixed(3)}`, checked_at: new Date().toISOString() }
      statuses[i] = s
      nc.publish(subjects.status(s.slug), JSON.stringify(s))
      const wait = t0 + (k + 1) * gap - performance.now()
      if (wait > 0) await Bun.sleep(wait)
    }
    await Bun.sleep(2000)
    const fans = await procs.askAll({ type: 'report' }, 'report', 60_000)
    const fan = { latencies: fans.flatMap((f) => f.latencies), got: fans.reduce((n, f) => n + f.got, 0), closes: fans.reduce((n, f) => n + f.closes, 0) }

    // ---- the whole fleet changes at once.
    procs.tell({ type: 'fleet', expect: N })
    await Bun.sleep(200)
    const flipStart = performance.now()
    for (let i = 0; i < N; i++) {
      const s = { ...statuses[i]!, live: !statuses[i]!.live, viewers: statuses[i]!.live ? 0 : 100 + i, title: `fleet#${i}@`, checked_at: new Date().toISOString() }
      statuses[i] = s
      nc.publish(subjects.status(s.slug), JSON.stringify(s))
    }
    const publishMs = performance.now() - flipStart
    await Bun.sleep(quick ? 5000 : 10_000)
    const flips = await procs.askAll({ type: 'report' }, 'report', 60_000)
    const flip = { fleet: flips.flatMap((f) => f.fleet ?? []), fleetMissing: flips.reduce((n, f) => n + f.fleetMissing, 0), closes: flips.reduce((n, f) => n + f.closes, 0) }
    rss.after_fanout_and_fleet = rssMb(gwPid)
    await Bun.sleep(idle)
    rss.idle_with_sockets_after_load = rssMb(gwPid)
    await procs.kill()
    await Bun.sleep(idle)
    rss.idle_after_sockets_closed = rssMb(gwPid)

    const expected = CHANGES * ready.open
    const result = {
      scenario: 'gateway-fanout', at: new Date().toISOString(), machine: { cpus: navigator.hardwareConcurrency, bun: Bun.version },
      options: { streamers: N, clients: C, changes: CHANGES, rate: RATE, client_processes: PROCS, quick },
      load_average_at_start: loadAvg,
      page_render_ms: { http_admin_1000_rows: pageAdmin, http_user_sorted_grouped: pageUser, render_function_only: renderFn },
      sockets: { open: ready.open, connect_all_ms: ready.ms, closed_during_run: fan.closes + flip.closes },
      fanout_ms: { ...summary(fan.latencies), delivered: fan.got, expected, lost: expected - fan.got },
      fleet_flip: { changes: N, publish_ms: r1(publishMs), consistent_ms: summary(flip.fleet ?? []), sockets_incomplete: flip.fleetMissing },
      gateway_rss_mb: rss,
      run_s: Math.round((Date.now() - started) / 1000),
    }
    mkdirSync(RESULTS, { recursive: true })
    writeFileSync(join(RESULTS, 'gateway-fanout.json'), JSON.stringify(result, null, 2) + '\n')
    const row = (what: string, s: ShortSummary, extra = '') =>
      console.log(`  ${what.padEnd(44)} ${String(s.p50 ?? '–').padStart(8)} ${String(s.p99 ?? '–').padStart(8)} ${String(s.max ?? '–').padStart(8)}  n=${s.n}${extra}`)
    console.log(`\n  ${'what (ms)'.padEnd(44)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}`)
    row(`GET / as admin, ${N} rows (${pageAdmin.kb} KB, ${pageAdmin.wire_kb} KB gzipped)`, pageAdmin)
    row(`GET /?sort=name&group=category as user`, pageUser)
    row(`dashboardPage() alone, ${N} rows`, renderFn)
    row(`kick.status publish → ${ready.open} sockets`, result.fanout_ms, `  lost=${result.fanout_ms.lost}`)
    row(`whole fleet (${N}) flips → every row at a socket`, result.fleet_flip.consistent_ms, `  incomplete=${flip.fleetMissing}`)
    console.log(`\n  sockets open ${ready.open}/${C} (${PROCS} client processes) in ${ready.ms} ms; closed during the run: ${result.sockets.closed_during_run}; load average at start ${loadAvg.join(' ')}`)
    console.log(`  gateway RSS MB: ${Object.entries(rss).map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(' · ')}`)
    console.log(`  → bench/results/gateway-fanout.json (${result.run_s} s)`)
  } finally {
    await gw.stop()
  }
}

await benchOrClients(bench, clientMode)
