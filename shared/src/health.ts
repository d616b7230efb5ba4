import type { NatsConnection } from '@nats-io/transport-node'
import type { Sql } from './db.ts'
import type { Registry } from './metrics.ts'

export type Probe = { name: string; critical: boolean; timeoutMs: number; run: () => Promise<unknown> }
export type ProbeResult = { name: string; ok: boolean; critical: boolean; ms: number; error?: string }

const noStore = { 'content-type': 'application/json', 'cache-control': 'no-store' }

async function runProbe(p: Probe): Promise<ProbeResult> {
  const t0 = performance.now()
  let timer: Timer | undefined
  try {
    await Promise.race([
      p.run(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${p.timeoutMs} ms`)), p.timeoutMs))),
    ])
    return { name: p.name, ok: true, critical: p.critical, ms: Math.round(performance.now() - t0) }
  } catch (e) {
    // Truncated and stripped of URLs so a connection string never leaks.
    const error = String((e as Error)?.message ?? e).replace(/\w+:\/\/\S+/g, '<url>').slice(0, 120)
    return { name: p.name, ok: false, critical: p.critical, ms: Math.round(performance.now() - t0), error }
  } finally {
    clearTimeout(timer)
  }
}

export function dbProbe(sql: Sql, expectedVersion: string | null): Probe {
  return {
    name: 'postgres', critical: true, timeoutMs: 2000,
    run: async () => {
      await sql`select 1`
      if (!expectedVersion) return
      const [row] = await sql<{ v: string | null }[]>`select max(version) as v from schema_migrations`
      if ((row?.v ?? '') < expectedVersion) throw new Error(`database schema is at ${row?.v ?? 'none'}, expected ${expectedVersion}: run migrations`)
    },
  }
}

export function natsProbe(nc: NatsConnection): Probe {
  return {
    name: 'nats', critical: true, timeoutMs: 2000,
    run: async () => {
      if (nc.isClosed()) throw new Error('connection closed')
      await nc.flush()
    },
  }
}

/** /healthz, /readyz and /metrics; returns undefined for any other path. */
export class Health {
  stopping = false
  /** False until the service finished starting (endpoints registered, consumers running). */
  started = false
  constructor(
    readonly service: string,
    readonly version: string,
    private probes: Probe[],
    /** Public so an HTTP app can add its own metrics to what /metrics serves. */
    readonly registry: Registry,
  ) {}

  addProbe(p: Probe) {
    this.probes.push(p)
  }

  async readiness() {
    const results = await Promise.all(this.probes.map(runProbe))
    const ready = this.started && !this.stopping && results.every((r) => r.ok || !r.critical)
    const status = this.stopping ? 'stopping' : !this.started ? 'starting' : ready ? (results.every((r) => r.ok) ? 'ok' : 'degraded') : 'unavailable'
    return { service: this.service, version: this.version, ready, status, checks: results }
  }

  async handle(path: string): Promise<Response | undefined> {
    if (path === '/healthz') return new Response(JSON.stringify({ status: 'ok', service: this.service }), { headers: noStore })
    if (path === '/readyz') {
      const r = await this.readiness()
      return new Response(JSON.stringify(r), { status: r.ready ? 200 : 503, headers: noStore })
    }
    if (path === '/metrics')
      return new Response(await this.registry.metrics(), { headers: { 'content-type': this.registry.contentType } })
    return undefined
  }
}
