// `bun run fuzz`: fast-check generated requests to every gateway route, every NATS endpoint
// and the Kick webhook ingress against the running system. Exit status 1 on any 5xx, leaked
// stack trace, unanswered request, record made from a rejected input, or crashed service.
// Reproduce a run with --seed.
import { int, parseArgs } from './lib/args.ts'
import { runFuzz } from './lib/fuzz/run-fuzz.ts'
import { printTable, writeResult } from './lib/stats.ts'

const a = parseArgs({ http: int(3000, 0, 1_000_000), nats: int(1500, 0, 1_000_000), webhook: int(600, 0, 1_000_000), seed: int(Date.now() % 1_000_000, 0, 2 ** 31) })
const t0 = performance.now()
const r = await runFuzz({ http: a.http, nats: a.nats, webhook: a.webhook, seed: a.seed })
const fmt = (o: Record<string, number>) => Object.entries(o).sort().map(([k, v]) => `${k}×${v}`).join(' ')
printTable(`fuzz (seed ${r.seed}, ${((performance.now() - t0) / 1000).toFixed(0)} s)`, [
  { surface: `HTTP: ${r.http.routes} routes`, inputs: r.http.sent, answers: fmt(r.http.byStatus) },
  { surface: 'poller health port', inputs: r.health.poller.sent, answers: fmt(r.health.poller.byStatus) },
  { surface: 'auth health port', inputs: r.health.auth.sent, answers: fmt(r.health.auth.byStatus) },
  { surface: 'POST /webhooks/kick', inputs: r.webhook.sent, answers: fmt(r.webhook.byStatus) },
  { surface: `NATS: ${r.nats.endpoints.length} endpoints`, inputs: r.nats.sent, answers: fmt(r.nats.outcomes) },
])
if (r.findings.length) {
  printTable(`${r.findings.length} findings`, r.findings.slice(0, 50).map((f) => ({ kind: f.kind, status: f.status ?? '', target: f.target, input: f.input.slice(0, 160), detail: f.detail.slice(0, 160) })))
}
console.log(`\n${r.ok ? 'OK: no 5xx, no leaks, nothing recorded from a rejected input, no crash' : `FAILED: ${r.findings.length} findings`} (rerun with --seed ${r.seed})`)
console.log(`wrote ${writeResult('fuzz', r as unknown as Record<string, unknown>)}`)
process.exit(r.ok ? 0 : 1)
