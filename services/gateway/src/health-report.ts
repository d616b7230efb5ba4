import { Svcm } from '@nats-io/services'
import type { NatsConnection } from '@nats-io/transport-node'
import type { GatewayConfig } from './config.ts'
import type { Health } from '@kickmon/shared/health'
import type { UpstreamHealth } from '@kickmon/shared/contracts/poller'
import type { PollerClient } from './clients/poller-client.ts'

// The whole system's health, as the gateway sees it: every service instance that answers
// `$SRV.PING/INFO/STATS` (timer strategy, ~1 s), each one's `/readyz`, the gateway's own
// NATS connection, PostgreSQL as auth and the poller report it, and the poller's upstream
// report. Built at most every 2 s; concurrent callers share one build.

export type ProbeCheck = { name: string; ok: boolean; critical: boolean; ms: number; error?: string }
export type Readiness = { url: string | null; ok: boolean; status: string; checks: ProbeCheck[]; error?: string }
export type Instance = {
  name: string; id: string; version: string; started: string | null
  endpoints: number; requests: number; errors: number; avg_ms: number | null
  readyz: Readiness | null
}
export type HealthReport = {
  status: 'ok' | 'degraded' | 'down'
  at: string
  services: Instance[]
  missing: string[]
  nats: { connected: boolean; server: string | null; version: string | null; jetstream: boolean | null; rtt_ms: number | null; error?: string }
  postgres: { ok: boolean; ms: number | null; reported_by: string[]; error?: string }
  upstream: UpstreamHealth | null
  upstream_error?: string
}

const EXPECTED = ['auth', 'gateway', 'notifier', 'poller']
const TTL_MS = 2_000

async function drain<T>(it: Promise<AsyncIterable<T>>): Promise<T[]> {
  const out: T[] = []
  try {
    for await (const x of await it) out.push(x)
  } catch {
    // No responders (nothing registered) reads as an empty list, not an error.
  }
  return out
}

export class HealthReporter {
  private cached: { at: number; report: HealthReport } | null = null
  private inflight: Promise<HealthReport> | null = null

  constructor(
    private readonly nc: NatsConnection,
    private readonly config: GatewayConfig,
    private readonly own: Health,
    private readonly poller: PollerClient,
  ) {}

  report(): Promise<HealthReport> {
    if (this.cached && Date.now() - this.cached.at < TTL_MS) return Promise.resolve(this.cached.report)
    return (this.inflight ??= this.build()
      .then((report) => ((this.cached = { at: Date.now(), report }), report))
      .finally(() => (this.inflight = null)))
  }

  private async build(): Promise<HealthReport> {
    const client = new Svcm(this.nc).client({ strategy: 'timer', maxWait: 1000 } as never)
    const [pings, infos, stats, nats, upstream] = await Promise.all([
      drain(client.ping()),
      drain(client.info()),
      drain(client.stats()),
      this.natsState(),
      this.poller.call('health', {}, { timeout: 2000 }).then((u) => ({ u }), (e: Error) => ({ u: null, error: e.message })),
    ])
    const services = await Promise.all(
      pings.map(async (p): Promise<Instance> => {
        const info = infos.find((i) => i.id === p.id)
        const st = stats.find((s) => s.id === p.id)
        const eps = st?.endpoints ?? []
        const requests = eps.reduce((n, e) => n + e.num_requests, 0)
        const ns = eps.reduce((n, e) => n + Number(e.processing_time), 0)
        return {
          name: p.name, id: p.id, version: p.version, started: st?.started ?? null,
          endpoints: info?.endpoints?.length ?? eps.length, requests, errors: eps.reduce((n, e) => n + e.num_errors, 0),
          avg_ms: requests ? Math.round((ns / requests / 1e6) * 100) / 100 : null,
          readyz: await this.readiness(p.name, info?.metadata),
        }
      }),
    )
    services.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    const missing = EXPECTED.filter((n) => !services.some((s) => s.name === n))
    const pg = services.flatMap((s) => (s.readyz?.checks ?? []).filter((c) => c.name === 'postgres').map((c) => ({ by: s.name, c })))
    const postgres = {
      ok: pg.length > 0 && pg.every((x) => x.c.ok),
      ms: pg.length ? Math.max(...pg.map((x) => x.c.ms)) : null,
      reported_by: pg.map((x) => x.by),
      ...(pg.find((x) => !x.c.ok) ? { error: pg.find((x) => !x.c.ok)!.c.error } : pg.length ? {} : { error: 'no service reported PostgreSQL' }),
    }
    const notReady = services.some((s) => s.readyz && !s.readyz.ok)
    const status = missing.length || !nats.connected ? 'down' : notReady || !postgres.ok || !upstream.u ? 'degraded' : 'ok'
    return {
      status, at: new Date().toISOString(), services, missing, nats, postgres,
      upstream: upstream.u, ...('error' in upstream && upstream.error ? { upstream_error: upstream.error } : {}),
    }
  }

  private async natsState(): Promise<HealthReport['nats']> {
    const info = this.nc.info
    const base = { connected: !this.nc.isClosed(), server: info?.server_name ?? null, version: info?.version ?? null, jetstream: info?.jetstream ?? null }
    try {
      const rtt = await Promise.race([this.nc.rtt(), Bun.sleep(1000).then(() => Promise.reject(new Error('no answer within 1 s')))])
      return { ...base, rtt_ms: Math.round(rtt * 100) / 100 }
    } catch (e) {
      return { ...base, rtt_ms: null, error: (e as Error).message }
    }
  }

  /** `/readyz` of a service: its own probes for the gateway, HTTP for the others. */
  private async readiness(name: string, metadata: Record<string, string> | undefined): Promise<Readiness | null> {
    if (name === 'gateway') {
      const r = await this.own.readiness()
      return { url: null, ok: r.ready, status: r.status, checks: r.checks }
    }
    const port = Number(metadata?.http_port ?? metadata?.port ?? (name === 'poller' ? this.config.POLLER_PORT : name === 'auth' ? this.config.AUTH_PORT : 0))
    if (!port) return null
    const host = metadata?.http_host ?? '127.0.0.1'
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/readyz`
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1500) })
      const body = (await res.json()) as { status?: string; checks?: ProbeCheck[]; service?: string }
      if (body.service && body.service !== name) return { url, ok: false, status: 'unknown', checks: [], error: `port ${port} answers as ${body.service}` }
      return { url, ok: res.ok, status: body.status ?? String(res.status), checks: Array.isArray(body.checks) ? body.checks : [] }
    } catch (e) {
      return { url, ok: false, status: 'unreachable', checks: [], error: String((e as Error).message).slice(0, 120) }
    }
  }
}
