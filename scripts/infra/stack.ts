import postgres from 'postgres'
import { createDb } from '../../shared/src/db.ts'
import { migrate } from '../../shared/src/migrate.ts'
import { freePort } from './ports.ts'
import type { NatsAuthFiles } from './nats-auth.ts'
import { SupervisedProcess, waitForHttp, type LineSink, type ServiceName } from './processes.ts'

export type StackOptions = {
  databaseUrl: string
  natsUrl: string
  /** Start kick-sim and point the poller at it (the demo). */
  sim?: { channels?: number; activity?: boolean; env?: Record<string, string> } | false
  services?: ('auth' | 'poller' | 'gateway' | 'notifier')[]
  /** Start the provider simulators (notify-sim) and let the notifier reach them (the demo). */
  notifySim?: boolean
  env?: Record<string, string | undefined>
  /** Per service, over `env` (e.g. each its own DATABASE_URL). */
  serviceEnv?: Partial<Record<'auth' | 'poller' | 'gateway' | 'notifier', Record<string, string>>>
  sink?: LineSink
  ports?: Partial<Record<'gateway' | 'poller' | 'auth' | 'notifier' | 'sim' | 'notifySim', number>>
  /** Each service connects to NATS as its own identity with these keys (scripts/infra/nats-auth.ts). */
  natsAuth?: NatsAuthFiles
}

export type Stack = {
  gatewayUrl: string
  simUrl: string | null
  notifySimUrl: string | null
  env: Record<string, string | undefined>
  procs: Map<ServiceName, SupervisedProcess>
  stop: () => Promise<void>
}

/** Ensures the database exists (creating it if we may), then applies migrations. */
export async function prepareDatabase(url: string) {
  const u = new URL(url)
  const name = decodeURIComponent(u.pathname.slice(1)) || 'postgres'
  const adminUrl = new URL(url)
  adminUrl.pathname = '/postgres'
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 })
  try {
    const [row] = await admin`select 1 as ok from pg_database where datname = ${name}`
    if (!row) await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`)
  } finally {
    await admin.end()
  }
  const sql = createDb(url, 'migrate', 1)
  try {
    return await migrate(sql)
  } finally {
    await sql.end()
  }
}

/** kick-sim as a process; points `env` (the services') at it and at its webhook key. */
async function startSim(o: Exclude<StackOptions['sim'], false | undefined>, simPort: number, gatewayPort: number, env: Record<string, string | undefined>, sink: LineSink) {
  const url = `http://127.0.0.1:${simPort}`
  const simEnv: Record<string, string | undefined> = {
    ...env, KICK_SIM_PORT: String(simPort), KICK_SIM_CHANNELS: String(o.channels ?? 12),
    KICK_SIM_ACTIVITY: o.activity === false ? 'off' : 'on',
    KICK_SIM_WEBHOOK_URL: `http://127.0.0.1:${gatewayPort}/webhooks/kick`, ...o.env,
  }
  const proc = new SupervisedProcess('kick-sim', simEnv, sink)
  proc.start()
  await waitForHttp(`${url}/_sim/channels`)
  Object.assign(env, {
    KICK_API_URL: url, KICK_AUTH_URL: url, KICK_WEB_URL: url,
    KICK_CLIENT_ID: simEnv.KICK_SIM_CLIENT_ID ?? 'kickmon-demo', KICK_CLIENT_SECRET: simEnv.KICK_SIM_CLIENT_SECRET ?? 'kickmon-demo-secret',
  })
  // The sim's own key signs its webhooks; the gateway must verify with it.
  const key = (await (await fetch(`${url}/public/v1/public-key`)).json()) as { data?: { public_key?: string } }
  if (key.data?.public_key) env.KICK_WEBHOOK_PUBLIC_KEY = key.data.public_key
  return { proc, url }
}

/** kick-sim (optionally) and the three services as supervised processes. */
export async function startStack(o: StackOptions): Promise<Stack> {
  const port = async (k: keyof NonNullable<StackOptions['ports']>) => o.ports?.[k] ?? (await freePort())
  const [gatewayPort, pollerPort, authPort, notifierPort] = [await port('gateway'), await port('poller'), await port('auth'), await port('notifier')]
  const env: Record<string, string | undefined> = {
    ...process.env, ...o.env,
    DATABASE_URL: o.databaseUrl, NATS_URL: o.natsUrl,
    GATEWAY_PORT: String(gatewayPort), POLLER_PORT: String(pollerPort), AUTH_PORT: String(authPort), NOTIFIER_PORT: String(notifierPort),
  }
  if (env.ONE_PROCESS && !['on', 'off'].includes(env.ONE_PROCESS)) throw new Error(`config error: ONE_PROCESS: expected "on" or "off", got "${env.ONE_PROCESS}"`)
  const sink: LineSink = o.sink ?? (() => {})
  const procs = new Map<ServiceName, SupervisedProcess>()
  let simUrl: string | null = null
  if (o.sim) {
    const sim = await startSim(o.sim, await port('sim'), gatewayPort, env, sink)
    procs.set('kick-sim', sim.proc)
    simUrl = sim.url
  }
  let notifySimUrl: string | null = null
  if (o.notifySim) {
    const nsPort = await port('notifySim')
    const p = new SupervisedProcess('notify-sim', { ...env, NOTIFY_SIM_PORT: String(nsPort) }, sink)
    p.start()
    procs.set('notify-sim', p)
    notifySimUrl = `http://127.0.0.1:${nsPort}`
    await waitForHttp(`${notifySimUrl}/_sim/received`)
    // The simulators listen on loopback, which the notifier refuses unless allowed.
    env.NOTIFY_ALLOW_HOSTS = [env.NOTIFY_ALLOW_HOSTS, '127.0.0.1'].filter(Boolean).join(',')
  }
  const names = o.services ?? ['auth', 'poller', 'gateway', 'notifier']
  const spawn = (name: (typeof names)[number]) => {
    const p = new SupervisedProcess(name, { ...env, ...o.natsAuth?.env(name), ...o.serviceEnv?.[name] }, sink)
    p.start()
    procs.set(name, p)
  }
  if (env.ONE_PROCESS === 'on') {
    // One process for auth, poller and gateway (scripts/one-process.ts); each keeps its own
    // variables. The notifier stays a process of its own.
    const together = names.filter((n) => n !== 'notifier')
    const own = Object.fromEntries(together.map((n) => [n, { ...o.natsAuth?.env(n), ...o.serviceEnv?.[n] }]))
    const p = new SupervisedProcess('gateway', { ...env, KICKMON_SERVICE_ENV: JSON.stringify(own) }, sink, true, 'scripts/one-process.ts')
    p.start()
    for (const name of together) procs.set(name, p)
    if (names.includes('notifier')) spawn('notifier')
  } else for (const name of names) spawn(name)
  const ready = { auth: authPort, poller: pollerPort, gateway: gatewayPort, notifier: notifierPort }
  await Promise.all([...procs.keys()].filter((n) => n !== 'kick-sim' && n !== 'notify-sim').map((n) => waitForHttp(`http://127.0.0.1:${ready[n as keyof typeof ready]}/readyz`, 60_000, n)))
  return {
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    simUrl,
    notifySimUrl,
    env,
    procs,
    stop: async () => {
      // Front to back: gateway first (closes sockets), then the notifier, poller and auth, the simulators last.
      for (const n of ['gateway', 'notifier', 'poller', 'auth', 'kick-sim', 'notify-sim'] as ServiceName[]) await procs.get(n)?.stop()
    },
  }
}

export type ScaledStackOptions = Omit<StackOptions, 'services' | 'ports' | 'sink'> & {
  pollers: number
  gateways: number
  /** Extra environment for poller `i` (its POLLER_INSTANCE_ID is `poller-<i+1>` unless given here). */
  pollerEnv?: (i: number) => Record<string, string>
  /** Bring a killed instance back (as systemd would); off to watch the others take over. */
  restart?: boolean
  /** Every line, with which instance of its service printed it (0-based). */
  sink?: (service: ServiceName, line: string, instance: number) => void
}

export type ScaledStack = {
  gatewayUrls: string[]
  pollerPorts: number[]
  simUrl: string | null
  env: Record<string, string | undefined>
  pollers: SupervisedProcess[]
  gateways: SupervisedProcess[]
  auth: SupervisedProcess
  stop: () => Promise<void>
}

/**
 * Several pollers and gateways (and one auth) on the same NATS and PostgreSQL, as on several
 * machines (docs/scaling.md): each instance gets its own ports and the pollers their own
 * POLLER_INSTANCE_ID. kick-sim (optional) delivers its webhooks to the first gateway.
 */
export async function startScaledStack(o: ScaledStackOptions): Promise<ScaledStack> {
  const ports = async (n: number) => Promise.all(Array.from({ length: n }, () => freePort()))
  const [gatewayPorts, pollerPorts, [authPort]] = [await ports(o.gateways), await ports(o.pollers), await ports(1)]
  const env: Record<string, string | undefined> = { ...process.env, ...o.env, DATABASE_URL: o.databaseUrl, NATS_URL: o.natsUrl, AUTH_PORT: String(authPort) }
  const sinkFor = (i: number): LineSink => (service, line) => o.sink?.(service, line, i)
  let sim: Awaited<ReturnType<typeof startSim>> | null = null
  if (o.sim) sim = await startSim(o.sim, await freePort(), gatewayPorts[0]!, env, sinkFor(0))
  const proc = (name: ServiceName, i: number, extra: Record<string, string>) => {
    const p = new SupervisedProcess(name, { ...env, ...o.natsAuth?.env(name as 'auth' | 'poller' | 'gateway'), ...extra }, sinkFor(i), o.restart ?? true)
    p.start()
    return p
  }
  const auth = proc('auth', 0, {})
  const pollers = pollerPorts.map((port, i) => proc('poller', i, { POLLER_PORT: String(port), POLLER_INSTANCE_ID: `poller-${i + 1}`, ...o.pollerEnv?.(i) }))
  const gateways = gatewayPorts.map((port, i) => proc('gateway', i, { GATEWAY_PORT: String(port) }))
  const ready = (port: number, name: string) => waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000, name)
  await Promise.all([ready(authPort!, 'auth'), ...pollerPorts.map((p) => ready(p, 'poller')), ...gatewayPorts.map((p) => ready(p, 'gateway'))])
  return {
    gatewayUrls: gatewayPorts.map((p) => `http://127.0.0.1:${p}`),
    pollerPorts, simUrl: sim?.url ?? null, env, pollers, gateways, auth,
    stop: async () => {
      await Promise.all(gateways.map((g) => g.stop()))
      await Promise.all(pollers.map((p) => p.stop()))
      await auth.stop()
      await sim?.proc.stop()
    },
  }
}
