import { Svcm } from '@nats-io/services'
import type { NatsConnection } from '@nats-io/transport-node'
import { z } from 'zod'
import { isAppError } from '@kickmon/shared/errors'
import { PollerApi, type UpstreamHealth } from '@kickmon/shared/contracts/poller'
import { noArgs } from '../args.ts'
import { command, type Group } from '../command.ts'
import type { Ctx } from '../context.ts'
import { Exit } from '../exit-codes.ts'
import { num } from '../format.ts'
import { redact } from '../nats.ts'

// One screen answering "is it working?": NATS, each service ($SRV and its /readyz),
// PostgreSQL (as the services see it), Kick (the poller's upstream report) and the streamers.

const SERVICES = ['poller', 'auth', 'gateway'] as const
type State = 'ok' | 'degraded' | 'down' | 'unknown'

const Readyz = z.object({
  ready: z.boolean(),
  status: z.string(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), critical: z.boolean(), ms: z.number(), error: z.string().optional() })),
})
type Readyz = z.infer<typeof Readyz>

type Instance = { id: string; version: string; started: string | null; requests: number; errors: number }
type ServiceReport = { name: string; state: State; instances: Instance[]; readyz: { url: string; http_status: number | null; body: Readyz | null; error: string | null }; note: string }

export type StatusReport = {
  ok: boolean
  nats: { state: State; url: string; server: string | null; version: string | null; jetstream: boolean | null; rtt_ms: number | null; error: string | null }
  services: ServiceReport[]
  postgres: { state: State; seen_by: string[]; error: string | null }
  upstream: { state: State; report: UpstreamHealth | null; problems: string[]; error: string | null }
  streamers: { monitored: number; live: number; stale: number } | null
}

async function readyz(port: number): Promise<ServiceReport['readyz']> {
  const url = `http://127.0.0.1:${port}/readyz`
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2500) })
    const body = Readyz.safeParse(await r.json().catch(() => null))
    return { url, http_status: r.status, body: body.success ? body.data : null, error: body.success ? null : 'not a kickmon /readyz answer' }
  } catch (e) {
    return { url, http_status: null, body: null, error: /refused|ECONNREFUSED|Unable to connect/i.test(String(e)) ? 'connection refused' : 'no answer' }
  }
}

async function instances(nc: NatsConnection): Promise<Map<string, Instance[]>> {
  const byName = new Map<string, Instance[]>()
  const it = await new Svcm(nc).client({ strategy: 'timer', maxWait: 1000 }).stats()
  for await (const s of it) {
    const list = byName.get(s.name) ?? []
    list.push({
      id: s.id, version: s.version, started: s.started ?? null,
      requests: (s.endpoints ?? []).reduce((n, e) => n + (e.num_requests ?? 0), 0),
      errors: (s.endpoints ?? []).reduce((n, e) => n + (e.num_errors ?? 0), 0),
    })
    byName.set(s.name, list)
  }
  return byName
}

function serviceReport(name: string, inst: Instance[] | null, rz: ServiceReport['readyz']): ServiceReport {
  const failing = rz.body?.checks.filter((c) => !c.ok) ?? []
  let state: State
  let note: string
  if (rz.body) {
    state = rz.body.ready ? (failing.length ? 'degraded' : 'ok') : 'down'
    note = rz.body.ready ? `ready${failing.length ? `, but ${failing.map((c) => `${c.name}: ${c.error}`).join('; ')}` : ''}` : `not ready: ${failing.map((c) => `${c.name}: ${c.error}`).join('; ') || rz.body.status}`
  } else if (inst === null) {
    state = 'unknown'
    note = `no /readyz on ${rz.url.replace('/readyz', '')} (${rz.error}), and $SRV cannot be asked without NATS`
  } else if (inst.length) {
    // Answering on NATS but not here: most likely running on another machine.
    state = 'ok'
    note = `answering on NATS; /readyz not on this machine (${rz.error})`
  } else {
    state = 'down'
    note = rz.http_status ? `HTTP ${rz.http_status} but not registered on NATS` : 'not running (no $SRV answer, no /readyz)'
  }
  if (inst && !inst.length && rz.body?.ready) {
    state = 'degraded'
    note = 'ready on HTTP but not registered on NATS'
  }
  return { name, state, instances: inst ?? [], readyz: rz, note }
}

function upstreamProblems(h: UpstreamHealth): string[] {
  const p: string[] = []
  for (const b of h.breakers.filter((x) => x.state !== 'closed')) p.push(`circuit ${b.state} for ${b.endpoint} (retry in ${Math.ceil(b.retry_in_s)} s)`)
  if (h.budget.paused_for_s > 0) p.push(`requests paused for ${Math.ceil(h.budget.paused_for_s)} s (rate limited)`)
  if (h.webhooks.enabled && h.webhooks.subscriptions_alive < h.webhooks.subscriptions_wanted)
    p.push(`webhook subscriptions ${h.webhooks.subscriptions_alive}/${h.webhooks.subscriptions_wanted}`)
  if (h.browser.enabled && h.browser.backoff_s > 0) p.push(`browser fallback backing off ${Math.ceil(h.browser.backoff_s)} s`)
  return p
}

export async function collectStatus(ctx: Ctx): Promise<StatusReport> {
  const env = ctx.env
  const ports = { poller: env.POLLER_PORT, auth: env.AUTH_PORT, gateway: env.GATEWAY_PORT }
  const readyzP = Promise.all(SERVICES.map((s) => readyz(ports[s])))
  const url = redact(env.NATS_URL)
  let nc: NatsConnection | null = null
  let nats: StatusReport['nats']
  try {
    nc = await ctx.nats()
    const rtt = await nc.rtt().catch(() => null)
    const info = nc.info
    nats = { state: 'ok', url, server: info?.server_name ?? null, version: info?.version ?? null, jetstream: info ? !!info.jetstream : null, rtt_ms: rtt === null ? null : Math.round(rtt * 10) / 10, error: null }
  } catch (e) {
    nats = { state: 'down', url, server: null, version: null, jetstream: null, rtt_ms: null, error: (e as Error).message }
  }
  const [rz, inst, health, list] = await Promise.all([
    readyzP,
    nc ? instances(nc).catch(() => new Map<string, Instance[]>()) : Promise.resolve(null),
    nc ? ctx.call(PollerApi.health, {}, { timeout: 3000 }).then((r) => ({ r, e: null }), (e: Error) => ({ r: null, e })) : Promise.resolve(null),
    nc ? ctx.call(PollerApi.list, {}, { timeout: 3000 }).catch(() => null) : Promise.resolve(null),
  ])
  const services = SERVICES.map((name, i) => serviceReport(name, inst ? (inst.get(name) ?? []) : null, rz[i]!))

  // PostgreSQL as auth and the poller see it (the CLI talks to it only in `db`).
  const pgChecks = services.flatMap((s) => (s.readyz.body?.checks ?? []).filter((c) => c.name === 'postgres').map((c) => ({ by: s.name, c })))
  const pgBad = pgChecks.find((x) => !x.c.ok)
  const postgres: StatusReport['postgres'] = pgChecks.length
    ? { state: pgBad ? 'down' : 'ok', seen_by: pgChecks.map((x) => x.by), error: pgBad ? `${pgBad.by}: ${pgBad.c.error}` : null }
    : { state: 'unknown', seen_by: [], error: 'no service on this machine reported on PostgreSQL' }

  let upstream: StatusReport['upstream']
  if (!health) upstream = { state: 'unknown', report: null, problems: [], error: 'NATS is down' }
  else if (health.r) {
    const problems = upstreamProblems(health.r)
    upstream = { state: problems.length ? 'degraded' : 'ok', report: health.r, problems, error: null }
  } else upstream = { state: isAppError(health.e, 'UNAVAILABLE') ? 'down' : 'unknown', report: null, problems: [], error: health.e.message }

  const streamers = list ? { monitored: list.length, live: list.filter((s) => s.live).length, stale: list.filter((s) => s.stale).length } : null
  const ok = nats.state === 'ok' && services.every((s) => s.state === 'ok' || s.state === 'degraded') && postgres.state !== 'down'
  return { ok, nats, services, postgres, upstream, streamers }
}

const plural = (n: number, word: string) => `${num(n)} ${word}${n === 1 ? '' : 's'}`

function upstreamLine(h: UpstreamHealth): string {
  const total = h.requests.reduce((n, r) => n + r.count, 0)
  const okCount = h.requests.filter((r) => r.outcome === 'ok' || /^2/.test(r.outcome)).reduce((n, r) => n + r.count, 0)
  const parts = [
    `${plural(total, 'Kick request')} (${num(okCount)} ok), ${num(h.rate_limited_total)} rate limited`,
    `poll every ${h.poll.interval_s} s, last cycle ${Math.round(h.poll.last_cycle_ms)} ms, ${num(h.poll.resolved)}/${num(h.poll.streamers)} resolved` +
      (h.poll.covered_offline ? `, ${num(h.poll.covered_offline)} offline covered by webhooks every ${h.poll.covered_offline_every} intervals` : ''),
    h.webhooks.enabled ? `webhooks: ${num(h.webhooks.received)} received${h.webhooks.lag_ms_p50 !== null ? `, lag p50 ${Math.round(h.webhooks.lag_ms_p50)} ms` : ''}` : 'webhooks off',
  ]
  if (h.browser.enabled) parts.push(`browser fallback ${h.browser.running ? 'running' : 'idle'}`)
  return parts.join('; ')
}

const statusCmd = command({
  name: 'status',
  summary: 'is everything working: NATS, services, PostgreSQL, Kick, streamers',
  usage: '',
  description:
    'Services are found on NATS ($SRV) and their /readyz is read on this machine (POLLER_PORT, AUTH_PORT,\n' +
    'GATEWAY_PORT). PostgreSQL is reported as the services see it. Exit 0 when all is up (possibly\n' +
    'degraded), 4 when NATS, a service or PostgreSQL is down.',
  options: {},
  args: noArgs,
  examples: ['kickmon status', 'kickmon status --json | jq .ok'],
  run: async (ctx) => {
    const r = await collectStatus(ctx)
    if (ctx.json) ctx.out.data(r)
    else printStatus(ctx, r)
    return r.ok ? Exit.OK : Exit.UNAVAILABLE
  },
})

function printStatus(ctx: Ctx, r: StatusReport) {
  const { s } = ctx.out
  const paint = (st: State) => ({ ok: s.green, degraded: s.yellow, down: s.red, unknown: s.dim })[st](st.padEnd(8))
  const row = (name: string, st: State, text: string) => ctx.out.line(`${name.padEnd(11)} ${paint(st)} ${text}`)
  const n = r.nats
  row('NATS', n.state, n.state === 'ok' ? `${n.url} (nats-server ${n.version ?? '?'}${n.jetstream ? ', JetStream' : ', no JetStream!'}), round trip ${n.rtt_ms ?? '?'} ms` : (n.error ?? ''))
  for (const svc of r.services) {
    const count = svc.instances.length
    const requests = svc.instances.reduce((a, i) => a + i.requests, 0)
    const inst = count ? `${plural(count, 'instance')} (${[...new Set(svc.instances.map((i) => i.version))].join(', ')}), ${plural(requests, 'request')}; ` : ''
    row(svc.name, svc.state, inst + svc.note)
  }
  row('PostgreSQL', r.postgres.state, r.postgres.state === 'ok' ? `reachable from ${r.postgres.seen_by.join(' and ')}, schema current` : (r.postgres.error ?? ''))
  const u = r.upstream
  row('Kick', u.state, u.report ? [upstreamLine(u.report), ...u.problems].join('; ') : `no report from the poller (${u.error})`)
  if (r.streamers) ctx.out.line(`${'streamers'.padEnd(11)} ${' '.repeat(8)} ${num(r.streamers.monitored)} monitored, ${num(r.streamers.live)} live, ${num(r.streamers.stale)} stale`)
}

export const statusGroup: Group = { name: 'status', summary: statusCmd.summary, commands: [statusCmd], single: true }
