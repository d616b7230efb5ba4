import { generateKeyPairSync } from 'node:crypto'
import { BenchStack, type Session } from '../bench-stack.ts'
import { type Finding } from './findings.ts'
import { httpFuzz } from './http-fuzz.ts'
import { Ledger } from './ledger.ts'
import { natsFuzz } from './nats-fuzz.ts'
import { HEALTH_ROUTES, httpTargets, natsTargets } from './targets.ts'
import { webhookFuzz } from './webhook-fuzz.ts'

export type FuzzOptions = { http: number; nats: number; webhook: number; seed: number; log?: (m: string) => void }
export type FuzzReport = {
  seed: number
  http: { sent: number; routes: number; fromOpenApi: number; byStatus: Record<string, number> }
  health: Record<'poller' | 'auth', { sent: number; byStatus: Record<string, number> }>
  nats: { sent: number; services: string[]; endpoints: string[]; outcomes: Record<string, number> }
  webhook: { sent: number; byStatus: Record<string, number> }
  findings: Finding[]
  ok: boolean
}

/**
 * Fuzzes the running system: every gateway route (the OpenAPI document plus the pages),
 * the poller's and auth's health ports, every NATS endpoint `$SRV.INFO` lists, and the Kick
 * webhook ingress. Findings: any 5xx,
 * any answer that leaks a stack trace or a path, any request that went unanswered, anything
 * recorded (PostgreSQL rows, JetStream sequence numbers) from a rejected input, and any
 * service process that died.
 */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const log = o.log ?? console.log
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const b = await BenchStack.start({
    streamers: 12, pollIntervalS: 5, offlineGraceS: 30, webhooks: 'on',
    // The gateway trusts our key, so signed junk gets past the signature check to the parsers.
    env: { KICK_WEBHOOK_PUBLIC_KEY: key.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  })
  const nc = await b.natsConnection('fuzz')
  try {
    const slugs = await b.monitorAll()
    let session: Session = await b.login()
    await b.waitUntilFresh(session, slugs.length)
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${b.gatewayUrl}${path}`, {
        method, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      })
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
      return (await res.json()) as Record<string, unknown>
    }
    const keyAnswer = await api('POST', '/api/v1/api-keys', { name: 'fuzz', scope: 'write' })
    const apiKey = String(Object.values(keyAnswer).find((v) => typeof v === 'string' && v.length >= 20 && !v.includes(' ')) ?? '')
    const viewer = await api('POST', '/api/v1/users', { username: 'fuzz-viewer', password: 'fuzz-viewer-password-0042', role: 'viewer' })
    const ledger = await Ledger.open(b.sql, nc)
    await ledger.quiet() // the first readings are still on their way to PostgreSQL
    const { targets, fromOpenApi } = await httpTargets(b.gatewayUrl, session.cookie)
    const nt = await natsTargets(nc)
    log(`fuzzing ${targets.length} HTTP routes (${fromOpenApi} from the OpenAPI document), ${nt.length} NATS endpoints and the webhook ingress (seed ${o.seed})`)

    let t = performance.now()
    const took = () => `${((performance.now() - t) / 1000).toFixed(0)} s`
    const http = await httpFuzz({
      gatewayUrl: b.gatewayUrl, targets, ledger,
      real: { slug: slugs[0]!, userId: Number(viewer.id) },
      auth: async () => ({ cookie: session.cookie, csrf: session.csrf, apiKey }),
      relogin: async () => {
        session = await b.login().catch(() => session)
      },
    }, o.http, o.seed)
    log(`  HTTP: ${http.sent} requests, ${http.findings.length} findings (${took()})`)
    // The poller's and auth's own HTTP ports (health, readiness, metrics) face the same input.
    t = performance.now()
    const health = {} as FuzzReport['health']
    const healthFindings: Finding[] = []
    for (const name of ['poller', 'auth'] as const) {
      const port = b.stack.env[name === 'poller' ? 'POLLER_PORT' : 'AUTH_PORT']
      const r = await httpFuzz({
        gatewayUrl: `http://127.0.0.1:${port}`, targets: HEALTH_ROUTES, ledger,
        real: { slug: slugs[0]!, userId: Number(viewer.id) },
        auth: async () => ({ cookie: session.cookie, csrf: session.csrf, apiKey }),
        relogin: async () => {},
      }, Math.max(20, Math.round(o.http / 10)), o.seed)
      health[name] = { sent: r.sent, byStatus: r.byStatus }
      healthFindings.push(...r.findings.map((f) => ({ ...f, target: `${name} ${f.target}` })))
    }
    log(`  poller and auth HTTP: ${health.poller.sent + health.auth.sent} requests, ${healthFindings.length} findings (${took()})`)
    t = performance.now()
    const hook = await webhookFuzz({ url: `${b.gatewayUrl}/webhooks/kick`, key: key.privateKey, otherKey: otherKey.privateKey, ledger }, o.webhook, o.seed)
    log(`  webhook: ${hook.sent} deliveries, ${hook.findings.length} findings (${took()})`)
    t = performance.now()
    const nats = await natsFuzz(nc, nt, ledger, o.nats, o.seed)
    log(`  NATS: ${nats.sent} requests, ${nats.findings.length} findings (${took()})`)

    const findings = [...http.findings, ...healthFindings, ...hook.findings, ...nats.findings]
    for (const [name, p] of b.stack.procs) {
      if (p.exits.length) {
        const last = b.logs.filter((l) => l.startsWith(`${name} `)).slice(-5).join(' | ')
        findings.push({ kind: 'crash', target: name, input: '(during the run)', detail: `exited ${p.exits.length} time(s); last lines: ${last.slice(0, 600)}` })
      }
    }
    return {
      seed: o.seed,
      http: { sent: http.sent, routes: targets.length, fromOpenApi, byStatus: http.byStatus },
      health,
      nats: { sent: nats.sent, services: [...new Set(nt.map((t) => t.service))].sort(), endpoints: nt.map((t) => t.subject), outcomes: nats.outcomes },
      webhook: { sent: hook.sent, byStatus: hook.byStatus },
      findings,
      ok: findings.length === 0,
    }
  } finally {
    await nc.drain().catch(() => {})
    await b.destroy()
  }
}
