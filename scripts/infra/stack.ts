import postgres from 'postgres'
import { createDb } from '../../shared/src/db.ts'
import { migrate } from '../../shared/src/migrate.ts'
import { freePort } from './ports.ts'
import { SupervisedProcess, waitForHttp, type LineSink, type ServiceName } from './processes.ts'

export type StackOptions = {
  databaseUrl: string
  natsUrl: string
  /** Start kick-sim and point the poller at it (the demo). */
  sim?: { channels?: number; activity?: boolean; env?: Record<string, string> } | false
  services?: ('auth' | 'poller' | 'gateway')[]
  env?: Record<string, string | undefined>
  sink?: LineSink
  ports?: Partial<Record<'gateway' | 'poller' | 'auth' | 'sim', number>>
}

export type Stack = {
  gatewayUrl: string
  simUrl: string | null
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

/** kick-sim (optionally) and the three services as supervised processes. */
export async function startStack(o: StackOptions): Promise<Stack> {
  const port = async (k: 'gateway' | 'poller' | 'auth' | 'sim') => o.ports?.[k] ?? (await freePort())
  const [gatewayPort, pollerPort, authPort] = [await port('gateway'), await port('poller'), await port('auth')]
  const env: Record<string, string | undefined> = {
    ...process.env, ...o.env,
    DATABASE_URL: o.databaseUrl, NATS_URL: o.natsUrl,
    GATEWAY_PORT: String(gatewayPort), POLLER_PORT: String(pollerPort), AUTH_PORT: String(authPort),
  }
  const sink: LineSink = o.sink ?? (() => {})
  const procs = new Map<ServiceName, SupervisedProcess>()
  let simUrl: string | null = null
  if (o.sim) {
    const simPort = await port('sim')
    simUrl = `http://127.0.0.1:${simPort}`
    const simEnv: Record<string, string | undefined> = {
      ...env, KICK_SIM_PORT: String(simPort), KICK_SIM_CHANNELS: String(o.sim.channels ?? 12),
      KICK_SIM_ACTIVITY: o.sim.activity === false ? 'off' : 'on',
      KICK_SIM_WEBHOOK_URL: `http://127.0.0.1:${gatewayPort}/webhooks/kick`, ...o.sim.env,
    }
    const sim = new SupervisedProcess('kick-sim', simEnv, sink)
    sim.start()
    procs.set('kick-sim', sim)
    await waitForHttp(`${simUrl}/_sim/channels`)
    Object.assign(env, {
      KICK_API_URL: simUrl, KICK_AUTH_URL: simUrl, KICK_WEB_URL: simUrl,
      KICK_CLIENT_ID: simEnv.KICK_SIM_CLIENT_ID ?? 'kickmon-demo', KICK_CLIENT_SECRET: simEnv.KICK_SIM_CLIENT_SECRET ?? 'kickmon-demo-secret',
    })
    // The sim's own key signs its webhooks; the gateway must verify with it.
    const key = (await (await fetch(`${simUrl}/public/v1/public-key`)).json()) as { data?: { public_key?: string } }
    if (key.data?.public_key) env.KICK_WEBHOOK_PUBLIC_KEY = key.data.public_key
  }
  for (const name of o.services ?? ['auth', 'poller', 'gateway']) {
    const p = new SupervisedProcess(name, env, sink)
    p.start()
    procs.set(name, p)
  }
  const ready = { auth: authPort, poller: pollerPort, gateway: gatewayPort }
  await Promise.all([...procs.keys()].filter((n) => n !== 'kick-sim').map((n) => waitForHttp(`http://127.0.0.1:${ready[n as keyof typeof ready]}/readyz`, 60_000, n)))
  return {
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    simUrl,
    env,
    procs,
    stop: async () => {
      // Front to back: gateway first (closes sockets), then poller and auth, the simulator last.
      for (const n of ['gateway', 'poller', 'auth', 'kick-sim'] as ServiceName[]) await procs.get(n)?.stop()
    },
  }
}
