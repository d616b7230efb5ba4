// `bun run bench`: every scenario in turn, each in its own process (fresh services, so one
// scenario's memory or sockets never colour the next), then one summary of the figures.
// `--quick` shortens each; `--only a,b` picks scenarios. Results: bench/results/<scenario>.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { flag, parseArgs } from './lib/args.ts'
import { printTable, RESULTS_DIR } from './lib/stats.ts'

const a = parseArgs({ quick: flag, only: z.string().optional() })
const dir = import.meta.dir

// Ours first; then the poller's and the gateway's own benchmarks, when they are there.
const scenarios: { name: string; file: string; args: string[] }[] = [
  { name: 'latency-webhook', file: 'latency-webhook.ts', args: [] },
  { name: 'latency-poll', file: 'latency-poll.ts', args: [] },
  // Three runs each even with --quick: their targets are read as a median and a spread.
  { name: 'webhook-ingress', file: 'webhook-ingress.ts', args: ['--runs', '3'] },
  { name: 'webhook-consumer', file: 'webhook-consumer.ts', args: [] },
  { name: 'burst', file: 'burst.ts', args: ['--rounds', '3'] },
  { name: 'memory', file: 'memory.ts', args: ['--runs', '3'] },
  { name: 'naive-baseline', file: 'naive-baseline.ts', args: [] },
  { name: 'naive-baseline-webhooks', file: 'naive-baseline.ts', args: ['--webhooks', 'on'] },
  { name: 'poller-scale', file: 'poller-scale.ts', args: [] },
  { name: 'public-pages', file: 'public-pages.ts', args: [] },
  { name: 'notify', file: 'notify.ts', args: [] },
  ...readdirSync(dir).filter((f) => /^gateway-.*\.ts$/.test(f)).sort().map((f) => ({ name: f.replace(/\.ts$/, ''), file: f, args: [] })),
]
const only = a.only?.split(',').map((s) => s.trim())
const unknown = only?.filter((n) => !scenarios.some((s) => s.name === n))
if (unknown?.length) {
  console.error(`error: unknown scenario(s) ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`)
  process.exit(2)
}

const outcomes: { scenario: string; status: string; minutes: string }[] = []
for (const s of scenarios) {
  if (only && !only.includes(s.name)) continue
  const path = join(dir, s.file)
  if (!existsSync(path)) {
    outcomes.push({ scenario: s.name, status: 'not present', minutes: '–' })
    continue
  }
  console.log(`\n=== ${s.name} ${'='.repeat(Math.max(0, 60 - s.name.length))}`)
  const t0 = performance.now()
  const proc = Bun.spawn(['bun', path, ...s.args, ...(a.quick ? ['--quick'] : [])], { stdout: 'inherit', stderr: 'inherit', stdin: 'ignore' })
  const code = await proc.exited
  outcomes.push({ scenario: s.name, status: code === 0 ? 'ok' : `FAILED (exit ${code})`, minutes: ((performance.now() - t0) / 60_000).toFixed(1) })
}

printTable('bench: scenarios', outcomes)
const headline = summaries()
if (headline.length) printTable('bench: headline figures (details in bench/results/*.json)', headline)
process.exit(outcomes.some((o) => o.status.startsWith('FAILED')) ? 1 : 0)

function read(name: string): any {
  const f = join(RESULTS_DIR, `${name}.json`)
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null
}

/** One line per figure docs/design.md#targets sets a target for. */
function summaries(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = []
  const fmt = (s: { p50: number | null; p99: number | null } | undefined) => (s ? `p50 ${s.p50} ms, p99 ${s.p99} ms` : '–')
  const w = read('latency-webhook')
  if (w) rows.push({ figure: 'webhook → Chromium DOM', value: fmt(w.figures?.all?.dom), target: 'p50 < 20 ms, p99 < 50 ms' }, { figure: 'webhook → every socket', value: fmt(w.figures?.all?.every_client), target: '' })
  const p = read('latency-poll')
  if (p) rows.push({ figure: `poll detection (online, interval ${p.options.pollIntervalS} s)`, value: `max ${p.figures?.online?.status?.max} ms`, target: `≤ ${p.options.pollIntervalS * 1000 + 1000} ms` })
  const i = read('webhook-ingress')
  if (i) rows.push({ figure: `webhook ingress alone (${i.options.tool}, ${i.options.connections} connections)`, value: `${i.runs.map((r: any) => r.rate_per_s).join(' / ')} deliveries/s (median ${i.median_rate_per_s})`, target: `≥ ${i.target_per_s}/s` })
  const wc = read('webhook-consumer')
  if (wc) rows.push({ figure: `KICK_WEBHOOKS → poller's consumer alone (JetStream, ${wc.rounds[0]?.deliveries} a round)`, value: `${wc.rounds.map((r: any) => r['stored/s']).join(' / ')} stored/s (median ${wc.median_stored_per_s})`, target: '' })
  const b = read('burst')
  if (b) for (const r of b.rounds) {
    rows.push({ figure: `burst round ${r.round} (${r.changes} at once)`, value: `${r.every_client_consistent_ms === null ? 'never' : Math.round(r.every_client_consistent_ms) + ' ms'}, lost ${r.lost_at_some_client}, doubled ${r.duplicate_fragments}`, target: 'consistent < 1 s, 0 lost, 0 doubled' })
    for (const st of r.stages ?? []) rows.push({ figure: `  stage: ${st.stage}`, value: `p50 ${st.p50} ms, p99 ${st.p99} ms`, target: '' })
  }
  const m = read('memory')
  if (m) for (const r of m.processes) if (r['target MB'] !== '–') rows.push({ figure: `RSS after idle: ${r.process}${r.layout ? ` (${r.layout})` : ''}`, value: `${r['after idle (median last 10 s) MB']?.toFixed?.(1)} MB`, target: r['target MB'] })
  for (const [name, mode] of [['naive-baseline', 'webhooks off'], ['naive-baseline-webhooks', 'webhooks on']]) {
    const n = read(name!)
    if (n) rows.push({ figure: `requests per detection, kickmon ÷ naive (${mode})`, value: `${n.ratios.requests_per_detection} (${n.ours.requests_per_detection?.toFixed?.(2)} vs ${n.naive.requests_per_detection?.toFixed?.(1)})`, target: '≤ 0.01 (≥ 100× fewer)' })
  }
  const sc = read('poller-scale')
  if (sc) for (const r of sc.runs) rows.push(
    { figure: `poll path, ${r.streamers} streamers`, value: `max ${r.detection_ms.all.max} ms, ${r.requests.per_100_streamers_per_interval} req per 100 per interval`, target: `≤ ${r.detection_ms.target_ms} ms, ≤ 1` },
    { figure: `viewer samples, ${r.streamers} streamers (${r.samples?.live_streamers} live)`, value: `${r.samples?.rows_per_hour} rows/h, ${r.samples?.mb_per_hour} MB/h`, target: '' },
  )
  const pp = read('public-pages')
  if (pp) rows.push(
    { figure: `public page: change → every one of ${pp.figures.viewers_open} viewers`, value: fmt(pp.figures.change_to_every_viewer_ms), target: '' },
    { figure: 'GET /badge/<slug>.svg', value: `${pp.figures.badge.requests_per_s} req/s`, target: '' },
  )
  return rows
}
