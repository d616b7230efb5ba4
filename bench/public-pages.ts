// public-pages: what a public status page costs the gateway (issue 16). One page of 100
// streamers with 5,000 anonymous live viewers (WebSockets in separate client processes, so
// their CPU is not the gateway's): a status change → at every viewer (p50/p99 over every
// delivery, and per change the time until the last viewer had it), the gateway's RSS and CPU;
// then GET /badge/<slug>.svg requests per second.
//
//   bun bench/public-pages.ts [--streamers 100] [--viewers 5000] [--changes 200] [--rate 20] [--client-procs 4] [--quick]
//
// Real processes: auth and gateway (no poller: statuses are published on NATS the way the
// poller does), a private PostgreSQL and nats-server. The per-address limits are raised, since
// every viewer here comes from 127.0.0.1.
import { readFileSync } from 'node:fs'
import type { StreamerStatus } from '../shared/src/contracts/status.ts'
import { subjects } from '../shared/src/contracts/names.ts'
import { flag, int, parseArgs } from './lib/args.ts'
import { benchOrClients } from './lib/client-procs.ts'
import { startGatewayOnly } from './lib/gateway-only.ts'
import { nowMs, printTable, summarize, writeResult } from './lib/stats.ts'

type ToClient = { type: 'start'; url: string; n: number } | { type: 'report' } | { type: 'badges'; url: string; ms: number; concurrency: number }
type FromClient =
  | { type: 'hello' }
  | { type: 'ready'; open: number; ms: number }
  | { type: 'report'; deliveries: number[]; perChange: [number, number][]; closes: number }
  | { type: 'badges'; ok: number; other: number }

// ---------------------------------------------------------------- client mode (child process)
async function clientMode() {
  const deliveries: number[] = []
  // change id → [viewers that got it, latest arrival - sent]
  const perChange = new Map<number, [number, number]>()
  let closes = 0
  const parsed = new Map<string, [number, number][]>()
  const onMessage = (text: string) => {
    const at = nowMs()
    let marks = parsed.get(text)
    if (!marks) {
      marks = [...text.matchAll(/bench#(\d+)@(\d+\.\d+)/g)].map((m) => [Number(m[1]), Number(m[2])])
      if (parsed.size > 1024) parsed.clear()
      parsed.set(text, marks)
    }
    for (const [id, sent] of marks) {
      const ms = at - sent
      deliveries.push(ms)
      const c = perChange.get(id) ?? [0, 0]
      c[0]++
      c[1] = Math.max(c[1], ms)
      perChange.set(id, c)
    }
  }
  process.on('message', async (m: ToClient) => {
    if (m.type === 'start') {
      const t0 = performance.now()
      let open = 0
      await Promise.all(
        Array.from({ length: m.n }, () =>
          new Promise<void>((resolve) => {
            const ws = new WebSocket(m.url)
            ws.onopen = () => (open++, resolve())
            ws.onmessage = (e) => onMessage(String(e.data))
            ws.onclose = () => (closes++, resolve())
          }),
        ),
      )
      process.send!({ type: 'ready', open, ms: Math.round(performance.now() - t0) } satisfies FromClient)
    } else if (m.type === 'report') {
      process.send!({ type: 'report', deliveries: deliveries.splice(0), perChange: [...perChange].map(([id, [n, ms]]) => [id * 1e6 + n, ms] as [number, number]), closes } satisfies FromClient)
      perChange.clear()
    } else if (m.type === 'badges') {
      let ok = 0
      let other = 0
      const end = performance.now() + m.ms
      await Promise.all(
        Array.from({ length: m.concurrency }, async () => {
          while (performance.now() < end) {
            const r = await fetch(m.url)
            await r.arrayBuffer()
            if (r.status === 200) ok++
            else other++
          }
        }),
      )
      process.send!({ type: 'badges', ok, other } satisfies FromClient)
    }
  })
  process.send!({ type: 'hello' } satisfies FromClient)
}

// ---------------------------------------------------------------- benchmark
function fakeStatus(i: number, live: boolean): StreamerStatus {
  const t = new Date().toISOString()
  return {
    slug: `pub_${String(i).padStart(4, '0')}`, kick_user_id: 200_000 + i, username: `Public${i}`, live, viewers: live ? 100 + i * 13 : 0, viewers_hidden: false, stream_id: live ? `s-${i}` : null,
    title: live ? `stream ${i}` : null, category: live ? { id: 1, name: 'Just Chatting' } : null,
    started_at: live ? t : null, profile_picture_url: null, source: 'api', checked_at: t, changed_at: t, stale: false,
  }
}

const cpuSeconds = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(f[11]) + Number(f[12])) / 100 // utime + stime, in clock ticks of 1/100 s
}
const rssMb = (pid: number) => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : null
}

async function bench() {
  const a = parseArgs({ streamers: int(100, 1, 100), viewers: int(5000, 1, 15_000), changes: int(200, 1), rate: int(20, 1, 1000), clientProcs: int(4, 1, 16), quick: flag, clientMode: flag })
  const changes = a.quick ? Math.min(a.changes, 60) : a.changes
  console.log(`public-pages: 1 page of ${a.streamers} streamers, ${a.viewers} anonymous viewers, ${changes} changes at ${a.rate}/s`)
  const gw = await startGatewayOnly({
    SHARE_LINK_SECRET: 'bench-share-link-secret-0123456789abcdef',
    PUBLIC_RATE_BURST: '1000000', PUBLIC_RATE_PER_S: '100000', PUBLIC_FEEDS_PER_ADDRESS: '1000000',
  })
  const { nc, gatewayUrl: base, gatewayPid: gwPid } = gw
  try {
    const statuses = Array.from({ length: a.streamers }, (_, i) => fakeStatus(i, i % 3 === 0))
    for (const s of statuses) nc.publish(subjects.status(s.slug), JSON.stringify(s))
    await nc.flush()
    const { cookie, csrf } = await gw.login()
    for (let i = 0; ; i++) {
      const r = await fetch(`${base}/api/v1/streamers?limit=1`, { headers: { cookie } })
      if (Number(r.headers.get('x-total-count')) === a.streamers) break
      if (i > 200) throw new Error('the gateway never saw every streamer')
      await Bun.sleep(50)
    }
    const made = await fetch(`${base}/api/v1/status-pages`, {
      method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'bench', title: 'Bench', streamers: statuses.map((s) => s.slug), show_viewers: true, show_history: false }),
    })
    if (made.status !== 201) throw new Error(`status page: ${made.status} ${await made.text()}`)
    const rss: Record<string, number | null> = { before_viewers: rssMb(gwPid) }

    // Page requests: first (renders) and then from the rendered copy.
    const pageMs: number[] = []
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now()
      const r = await fetch(`${base}/p/bench`)
      await r.arrayBuffer()
      pageMs.push(performance.now() - t0)
    }

    const procs = await gw.clients<ToClient, FromClient>(a.clientProcs)
    const url = `${base.replace('http', 'ws')}/p/bench/live`
    const readies = await procs.askAll((p) => ({ type: 'start', url, n: procs.share(p, a.viewers) }), 'ready', 180_000)
    const open = readies.reduce((n, r) => n + r.open, 0)
    await Bun.sleep(a.quick ? 2000 : 5000)
    rss.idle_with_viewers = rssMb(gwPid)
    await procs.askAll({ type: 'report' }, 'report', 60_000) // drop the snapshots

    // Changes, one at a time at `rate` per second: a title carrying its id and send time.
    const cpu0 = cpuSeconds(gwPid)
    const t0 = performance.now()
    for (let k = 0; k < changes; k++) {
      const i = k % a.streamers
      const s = { ...statuses[i]!, live: true, viewers: (statuses[i]!.viewers ?? 0) + 1, title: `bench#${k}@${nowMs().toFixed(3)}`, checked_at: new Date().toISOString() }
      statuses[i] = s
      nc.publish(subjects.status(s.slug), JSON.stringify(s))
      const wait = t0 + ((k + 1) * 1000) / a.rate - performance.now()
      if (wait > 0) await Bun.sleep(wait)
    }
    const busyS = (performance.now() - t0) / 1000
    const cpuPct = Math.round(((cpuSeconds(gwPid) - cpu0) / busyS) * 1000) / 10
    await Bun.sleep(2000)
    rss.after_changes = rssMb(gwPid)
    const reports = await procs.askAll({ type: 'report' }, 'report', 60_000)
    const deliveries = reports.flatMap((r) => r.deliveries)
    // Per change: how many viewers had it and when the last of them did.
    const byChange = new Map<number, { n: number; ms: number }>()
    for (const r of reports)
      for (const [key, ms] of r.perChange) {
        const id = Math.floor(key / 1e6)
        const c = byChange.get(id) ?? { n: 0, ms: 0 }
        c.n += key % 1e6
        c.ms = Math.max(c.ms, ms)
        byChange.set(id, c)
      }
    const complete = [...byChange.values()].filter((c) => c.n === open)
    const closes = reports.reduce((n, r) => n + r.closes, 0)

    // Badges: keep-alive requests from the client processes for a few seconds.
    const badgeMs = a.quick ? 3000 : 8000
    const cpuB0 = cpuSeconds(gwPid)
    const badges = await procs.askAll({ type: 'badges', url: `${base}/badge/pub_0001.svg`, ms: badgeMs, concurrency: 32 }, 'badges', badgeMs + 60_000)
    const badgeOk = badges.reduce((n, b) => n + b.ok, 0)
    const badgeCpu = Math.round(((cpuSeconds(gwPid) - cpuB0) / (badgeMs / 1000)) * 1000) / 10
    rss.after_badges = rssMb(gwPid)

    const figures = {
      viewers_open: open,
      connect_all_ms: Math.max(...readies.map((r) => r.ms)),
      page_http_ms: summarize(pageMs.slice(5)),
      change_to_viewer_ms: { ...summarize(deliveries), delivered: deliveries.length, expected: changes * open, lost: changes * open - deliveries.length },
      change_to_every_viewer_ms: { ...summarize(complete.map((c) => c.ms)), changes_complete: complete.length, changes: changes },
      gateway_cpu_percent_during_changes: cpuPct,
      gateway_rss_mb: rss,
      badge: { requests_per_s: Math.round(badgeOk / (badgeMs / 1000)), errors: badges.reduce((n, b) => n + b.other, 0), gateway_cpu_percent: badgeCpu, concurrency: 32 * a.clientProcs },
      sockets_closed_during_run: closes,
    }
    const file = writeResult('public-pages', { options: { ...a, changes }, figures })
    printTable('public-pages', [
      { figure: `change → a viewer (${open} viewers)`, p50: figures.change_to_viewer_ms.p50, p99: figures.change_to_viewer_ms.p99, max: figures.change_to_viewer_ms.max, note: `lost ${figures.change_to_viewer_ms.lost}` },
      { figure: 'change → every viewer', p50: figures.change_to_every_viewer_ms.p50, p99: figures.change_to_every_viewer_ms.p99, max: figures.change_to_every_viewer_ms.max, note: `${complete.length}/${changes} complete` },
      { figure: 'GET /p/<slug> (ms)', p50: figures.page_http_ms.p50, p99: figures.page_http_ms.p99, max: figures.page_http_ms.max, note: '' },
    ])
    console.log(`  gateway CPU during changes ${cpuPct}% of one core; RSS MB ${Object.entries(rss).map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(' · ')}`)
    console.log(`  GET /badge/<slug>.svg: ${figures.badge.requests_per_s} req/s (${figures.badge.concurrency} concurrent, gateway CPU ${badgeCpu}%), errors ${figures.badge.errors}`)
    console.log(`  → ${file}`)
  } finally {
    await gw.stop()
  }
}

await benchOrClients(bench, clientMode)
