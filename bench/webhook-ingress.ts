// webhook-ingress: how many signed Kick deliveries a second `POST /webhooks/kick` takes in, alone
// (issue 18's target: ≥ 5,000/s). Deliveries are signed before the clock starts with a key the
// gateway is configured to trust, each with its own message id, and sent by `wrk` (Debian's
// package) with a Lua script, or by a Bun client when wrk is not installed. Afterwards the
// KICK_WEBHOOKS stream must hold every distinct delivery answered 200 exactly once.
import { generateKeyPairSync, createSign } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jetstreamManager } from '@nats-io/jetstream'
import { z } from 'zod'
import { WEBHOOKS_STREAM } from '../shared/src/contracts/names.ts'
import { flag, int, parseArgs } from './lib/args.ts'
import { BenchStack } from './lib/bench-stack.ts'
import { cpuSeconds, natsServerPid } from './lib/rss.ts'
import { scrapeHistogram, stageDelta } from './lib/stage-metrics.ts'
import { printTable, summarize, writeResult } from './lib/stats.ts'

export const INGRESS_TARGET_PER_S = 5000

const a = parseArgs({
  deliveries: int(30_000, 100, 500_000), duration: int(4, 1, 120), connections: int(64, 1, 1000), runs: z.coerce.number().int().min(1).max(10).optional(),
  tool: z.enum(['auto', 'wrk', 'bun']).default('auto'), quick: flag,
  /** Write the services' CPU profiles (Bun's --cpu-prof, markdown too) into this directory. */
  profile: z.string().optional(),
})
// --quick is one run unless --runs is given (`bun run bench --quick` keeps three).
const runs = a.runs ?? (a.quick ? 1 : 3)
const tool = a.tool === 'auto' ? (Bun.which('wrk') ? 'wrk' : 'bun') : a.tool

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
console.log(`starting PostgreSQL, nats-server and the services (KICK_WEBHOOKS=off: nothing consumes, the gateway alone is measured)…`)
const b = await BenchStack.start({ streamers: 10, webhooks: 'off', env: { KICK_WEBHOOK_PUBLIC_KEY: pem, ...(a.profile ? { BUN_OPTIONS: `--cpu-prof --cpu-prof-md --cpu-prof-dir=${a.profile}` } : {}) } })
const dir = mkdtempSync(join(tmpdir(), 'kickmon-ingress-'))
const rows: Record<string, unknown>[] = []
const results: Record<string, unknown>[] = []
try {
  const nc = await b.natsConnection('bench-ingress')
  const jsm = await jetstreamManager(nc)
  const url = `${b.gatewayUrl}/webhooks/kick`
  // One warm-up delivery also makes the gateway create the stream.
  const warm = sign(0, 'warm')[0]!
  const wr = await fetch(url, { method: 'POST', headers: warm.headers, body: warm.body })
  if (wr.status !== 200) throw new Error(`warm-up delivery answered ${wr.status}: ${await wr.text()}`)

  for (let run = 1; run <= runs; run++) {
    const t = performance.now()
    const set = sign(a.deliveries, `r${run}`)
    console.log(`run ${run}: ${set.length} deliveries signed in ${((performance.now() - t) / 1000).toFixed(1)} s; sending with ${tool}, ${a.connections} connections, ${a.duration} s…`)
    const before = (await jsm.streams.info(WEBHOOKS_STREAM)).state.messages
    const metrics = `${b.gatewayUrl}/metrics`
    const stages0 = await scrapeHistogram(metrics, 'webhook_ingress_stage_seconds', 'stage')
    const gw = b.proc('gateway').pid
    const natsPid = natsServerPid(b.nats.port)
    const cpu0 = cpuSeconds(gw) ?? 0
    const nats0 = cpuSeconds(natsPid) ?? 0
    const r = tool === 'wrk' ? await viaWrk(url, set, dir) : await viaBun(url, set)
    const cpu = (((cpuSeconds(gw) ?? 0) - cpu0) / r.seconds) * 100
    const natsCpu = (((cpuSeconds(natsPid) ?? 0) - nats0) / r.seconds) * 100
    const stages = stageDelta(stages0, await scrapeHistogram(metrics, 'webhook_ingress_stage_seconds', 'stage'))
    await Bun.sleep(500)
    const stored = (await jsm.streams.info(WEBHOOKS_STREAM)).state.messages - before
    const distinct = Math.min(r.ok, set.length)
    const rate = r.ok / r.seconds
    results.push({ run, tool, connections: a.connections, ...r, rate_per_s: Math.round(rate), stored, distinct_ok: distinct, gateway_cpu_percent: Math.round(cpu), nats_server_cpu_percent: Math.round(natsCpu), load_cpu_percent: r.clientCpu, stages })
    rows.push({
      run, 'deliveries/s': Math.round(rate), target: `≥ ${INGRESS_TARGET_PER_S}`, ok: rate >= INGRESS_TARGET_PER_S ? 'yes' : 'NO',
      '200': r.ok, 'non-200': r.failed, 'latency p50/p99 ms': r.latency ? `${r.latency.p50}/${r.latency.p99}` : '–',
      'stored (distinct 200s)': `${stored} (${distinct})`, 'CPU % gateway/nats/load tool': `${Math.round(cpu)}/${Math.round(natsCpu)}/${r.clientCpu ?? '–'}`,
      ...Object.fromEntries(stages.map((x) => [`${x.stage} mean/p99≤ ms`, `${x.mean_ms}/${x.p99_ms_le ?? '>5000'}`])),
    })
    if (stored !== distinct) console.error(`  run ${run}: the stream gained ${stored} messages for ${distinct} distinct accepted deliveries`)
    // The next run starts with the poller's consumer caught up, so runs compare: otherwise the
    // consumer still reading one run's backlog takes nats-server's CPU from the next run's ingress.
    const drain = await drained(jsm)
    console.log(`  run ${run}: the poller's consumer ${drain.pending ? `still had ${drain.pending} to read after` : 'had read everything after'} ${(drain.ms / 1000).toFixed(1)} s`)
    results.at(-1)!.consumer_drain_ms = Math.round(drain.ms)
  }
  await nc.drain()
  printTable(`webhook-ingress: signed deliveries into POST /webhooks/kick (${tool}, ${a.connections} connections)`, rows)
  const rates = results.map((r) => r.rate_per_s as number)
  console.log(`\nwrote ${writeResult('webhook-ingress', { options: { ...a, tool }, target_per_s: INGRESS_TARGET_PER_S, median_rate_per_s: summarize(rates).p50, runs: results })}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
  await b.destroy()
}
process.exit(0)

type Signed = { headers: Record<string, string>; body: string }

/** `n` distinct livestream.status.updated deliveries, signed as Kick signs them. */
function sign(n: number, tag: string): Signed[] {
  const out: Signed[] = []
  const ts = new Date().toISOString()
  for (let i = 0; i < Math.max(1, n); i++) {
    const id = `bench-${tag}-${i}`
    const body = JSON.stringify({
      broadcaster: { is_anonymous: false, user_id: 900_000_000 + i, username: `ingress${i}`, is_verified: false, profile_picture: null, channel_slug: `ingress${i}`, identity: null },
      is_live: true, title: 'ingress', started_at: ts, ended_at: null,
    })
    const sig = createSign('RSA-SHA256').update(`${id}.${ts}.${body}`).sign(privateKey, 'base64')
    out.push({
      body,
      headers: {
        'content-type': 'application/json', 'Kick-Event-Message-Id': id, 'Kick-Event-Subscription-Id': 'bench-sub', 'Kick-Event-Signature': sig,
        'Kick-Event-Message-Timestamp': ts, 'Kick-Event-Type': 'livestream.status.updated', 'Kick-Event-Version': '1',
      },
    })
  }
  return out
}

type RunResult = { seconds: number; ok: number; failed: number; latency: { p50: number | null; p99: number | null } | null; clientCpu?: number }

/** wrk with a Lua script that walks the pre-signed deliveries, one per request, each at most once. */
async function viaWrk(url: string, set: Signed[], dir: string): Promise<RunResult> {
  const data = join(dir, 'deliveries.tsv')
  writeFileSync(data, set.map((s) => [s.headers['Kick-Event-Message-Id'], s.headers['Kick-Event-Message-Timestamp'], s.headers['Kick-Event-Signature'], s.body].join('\t')).join('\n') + '\n')
  const script = join(dir, 'ingress.lua')
  // Each wrk thread takes every k-th line (k = threads), so no two threads send the same delivery.
  writeFileSync(script, `
local rows, idx, step = {}, 0, 1
local counter = 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
function init(args)
  step = tonumber(args[1])
  local i = 0
  for line in io.lines("${data}") do
    if i % step == tid then
      local id, ts, sig, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
      rows[#rows + 1] = wrk.format("POST", nil, {
        ["content-type"] = "application/json", ["Kick-Event-Message-Id"] = id, ["Kick-Event-Subscription-Id"] = "bench-sub",
        ["Kick-Event-Signature"] = sig, ["Kick-Event-Message-Timestamp"] = ts, ["Kick-Event-Type"] = "livestream.status.updated",
        ["Kick-Event-Version"] = "1" }, body)
    end
    i = i + 1
  end
end
function request()
  idx = idx + 1
  if idx > #rows then idx = 1 end -- past the end: repeats, which JetStream answers as duplicates
  return rows[idx]
end
done = function(summary, latency, requests)
  io.write(string.format("KICKMON %d %d %d %f %f\\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`)
  const threads = 2
  const p = Bun.spawn(['wrk', '-t', String(threads), '-c', String(a.connections), '-d', `${a.duration}s`, '--latency', '-s', script, url, '--', String(threads)], { stdout: 'pipe', stderr: 'pipe' })
  const out = await new Response(p.stdout).text()
  const cpu = cpuSeconds(p.pid) // wrk is a zombie until reaped: its counters are still readable
  await p.exited
  const m = out.match(/KICKMON (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)/)
  if (!m) throw new Error(`wrk said:\n${out}\n${await new Response(p.stderr).text()}`)
  const requests = Number(m[1]), failed = Number(m[2])
  const seconds = Number(m[3]) / 1e6
  return { seconds, ok: requests - failed, failed, latency: { p50: Math.round(Number(m[4]) * 10) / 10, p99: Math.round(Number(m[5]) * 10) / 10 }, clientCpu: cpu === null ? undefined : Math.round((cpu / seconds) * 100) }
}

/** Fallback: `connections` loops of keep-alive fetches from this process, for `duration` s. */
async function viaBun(url: string, set: Signed[]): Promise<RunResult> {
  let next = 0, ok = 0, failed = 0
  const lat: number[] = []
  const end = performance.now() + a.duration * 1000
  const t0 = performance.now()
  await Promise.all(Array.from({ length: a.connections }, async () => {
    while (performance.now() < end) {
      const s = set[next++ % set.length]!
      const t = performance.now()
      const res = await fetch(url, { method: 'POST', headers: s.headers, body: s.body }).catch(() => null)
      if (res) await res.arrayBuffer()
      lat.push(performance.now() - t)
      if (res?.status === 200) ok++
      else failed++
    }
  }))
  const l = summarize(lat)
  return { seconds: (performance.now() - t0) / 1000, ok, failed, latency: { p50: l.p50, p99: l.p99 } }
}

/** Waits (up to 120 s) until every consumer of the webhook stream has read and acknowledged everything. */
async function drained(jsm: Awaited<ReturnType<typeof jetstreamManager>>): Promise<{ ms: number; pending: number }> {
  const t0 = performance.now()
  for (;;) {
    let pending = 0
    for await (const c of jsm.consumers.list(WEBHOOKS_STREAM)) pending += c.num_pending + c.num_ack_pending
    if (pending === 0 || performance.now() - t0 > 120_000) return { ms: performance.now() - t0, pending }
    await Bun.sleep(250)
  }
}
