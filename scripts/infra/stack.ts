import { freePort } from './ports.ts'
import type { NatsAuthFiles } from './nats-auth.ts'
import { SupervisedProcess, waitForHttp, type LineSink, type ServiceName } from './processes.ts'

export type SimOptions = {
  channels?: number
  activity?: boolean
  env?: Record<string, string>
  /** Runs once kick-sim answers, before any service starts (e.g. to prepare what they will find there). */
  prepare?: (simUrl: string) => Promise<void>
}

export type StackOptions = {
  databaseUrl: string
  natsUrl: string
  /** Start kick-sim and point the poller at it (the demo). */
  sim?: SimOptions | false
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
  /** Bring a process that died back (as systemd would; the default); off to watch the others take over. */
  restart?: boolean
}

export type Stack = {
  gatewayUrl: string
  simUrl: string | null
  notifySimUrl: string | null
  env: Record<string, string | undefined>
  procs: Map<ServiceName, SupervisedProcess>
  stop: () => Promise<void>
}

type Launch = (name: ServiceName, env: Record<string, string | undefined>) => SupervisedProcess

/**
 * kick-sim as a process, delivering its webhooks to `webhookUrl` (none without a gateway);
 * points `env` (the services') at it and at its webhook key.
 */
async function startSim(o: SimOptions, simPort: number, webhookUrl: string | null, env: Record<string, string | undefined>, launch: Launch): Promise<string> {
  const url = `http://127.0.0.1:${simPort}`
  const simEnv: Record<string, string | undefined> = {
    ...env, KICK_SIM_PORT: String(simPort), KICK_SIM_CHANNELS: String(o.channels ?? 12),
    KICK_SIM_ACTIVITY: o.activity === false ? 'off' : 'on',
    ...(webhookUrl && { KICK_SIM_WEBHOOK_URL: webhookUrl }), ...o.env,
  }
  launch('kick-sim', simEnv)
  await waitForHttp(`${url}/_sim/channels`)
  Object.assign(env, {
    KICK_API_URL: url, KICK_AUTH_URL: url, KICK_WEB_URL: url,
    KICK_CLIENT_ID: simEnv.KICK_SIM_CLIENT_ID ?? 'kickmon-demo', KICK_CLIENT_SECRET: simEnv.KICK_SIM_CLIENT_SECRET ?? 'kickmon-demo-secret',
  })
  // The sim's own key signs its webhooks; the gateway must verify with it.
  const key = (await (await fetch(`${url}/public/v1/public-key`)).json()) as { data?: { public_key?: string } }
  if (key.data?.public_key) env.KICK_WEBHOOK_PUBLIC_KEY = key.data.public_key
  await o.prepare?.(url)
  return url
}

const webhookUrl = (gatewayPort: number) => `http://127.0.0.1:${gatewayPort}/webhooks/kick`
const readyz = (port: number, service: string) => waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000, service)

/**
 * kick-sim (optionally) and the services as supervised processes, each ready (its /readyz)
 * when this resolves. When one fails to start, those already started are stopped again.
 */
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
  const launch = (name: ServiceName, procEnv: Record<string, string | undefined>, entry?: string) => {
    const p = new SupervisedProcess(name, procEnv, sink, o.restart ?? true, entry)
    p.start()
    procs.set(name, p)
    return p
  }
  const stop = async () => {
    // Front to back: gateway first (closes sockets), then the notifier, poller and auth, the simulators last.
    for (const n of ['gateway', 'notifier', 'poller', 'auth', 'kick-sim', 'notify-sim'] as ServiceName[]) await procs.get(n)?.stop()
  }
  const names = o.services ?? ['auth', 'poller', 'gateway', 'notifier']
  try {
    const simUrl = o.sim ? await startSim(o.sim, await port('sim'), names.includes('gateway') ? webhookUrl(gatewayPort) : null, env, launch) : null
    let notifySimUrl: string | null = null
    if (o.notifySim) {
      const nsPort = await port('notifySim')
      launch('notify-sim', { ...env, NOTIFY_SIM_PORT: String(nsPort) })
      notifySimUrl = `http://127.0.0.1:${nsPort}`
      await waitForHttp(`${notifySimUrl}/_sim/received`)
      // The simulators listen on loopback, which the notifier refuses unless allowed.
      env.NOTIFY_ALLOW_HOSTS = [env.NOTIFY_ALLOW_HOSTS, '127.0.0.1'].filter(Boolean).join(',')
    }
    const spawn = (name: (typeof names)[number]) => launch(name, { ...env, ...o.natsAuth?.env(name), ...o.serviceEnv?.[name] })
    if (env.ONE_PROCESS === 'on') {
      // One process for auth, poller and gateway (scripts/one-process.ts); each keeps its own
      // variables. The notifier stays a process of its own.
      const together = names.filter((n) => n !== 'notifier')
      const own = Object.fromEntries(together.map((n) => [n, { ...o.natsAuth?.env(n), ...o.serviceEnv?.[n] }]))
      const p = launch('gateway', { ...env, KICKMON_SERVICE_ENV: JSON.stringify(own) }, 'scripts/one-process.ts')
      for (const name of together) procs.set(name, p)
      if (names.includes('notifier')) spawn('notifier')
    } else for (const name of names) spawn(name)
    const ready = { auth: authPort, poller: pollerPort, gateway: gatewayPort, notifier: notifierPort }
    await Promise.all([...procs.keys()].filter((n) => n !== 'kick-sim' && n !== 'notify-sim').map((n) =>
      readyz(ready[n as keyof typeof ready], n).catch((e: Error) => {
        // Say why: how often it exited, and what it printed last.
        const p = procs.get(n)!
        throw new Error(`${n}: ${e.message}; it exited ${p.exits.length} time(s); its last lines:\n${p.lastLines.join('\n')}`)
      })))
    return { gatewayUrl: `http://127.0.0.1:${gatewayPort}`, simUrl, notifySimUrl, env, procs, stop }
  } catch (e) {
    await stop()
    throw e
  }
}

export type ScaledStackOptions = Omit<StackOptions, 'services' | 'ports' | 'sink'> & {
  pollers: number
  gateways: number
  /** Extra environment for poller `i` (its POLLER_INSTANCE_ID is `poller-<i+1>` unless given here). */
  pollerEnv?: (i: number) => Record<string, string>
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
 * POLLER_INSTANCE_ID. kick-sim (optional) delivers its webhooks to the first gateway. When one
 * fails to start, those already started are stopped again.
 */
export async function startScaledStack(o: ScaledStackOptions): Promise<ScaledStack> {
  const ports = async (n: number) => Promise.all(Array.from({ length: n }, () => freePort()))
  const [gatewayPorts, pollerPorts, [authPort]] = [await ports(o.gateways), await ports(o.pollers), await ports(1)]
  const env: Record<string, string | undefined> = { ...process.env, ...o.env, DATABASE_URL: o.databaseUrl, NATS_URL: o.natsUrl, AUTH_PORT: String(authPort) }
  const sinkFor = (i: number): LineSink => (service, line) => o.sink?.(service, line, i)
  let sim: SupervisedProcess | null = null
  const launchSim: Launch = (name, simEnv) => {
    sim = new SupervisedProcess(name, simEnv, sinkFor(0))
    sim.start()
    return sim
  }
  const proc = (name: 'auth' | 'poller' | 'gateway', i: number, extra: Record<string, string>) => {
    const p = new SupervisedProcess(name, { ...env, ...o.natsAuth?.env(name), ...extra }, sinkFor(i), o.restart ?? true)
    p.start()
    return p
  }
  let auth: SupervisedProcess | null = null
  const pollers: SupervisedProcess[] = []
  const gateways: SupervisedProcess[] = []
  const stop = async () => {
    await Promise.all(gateways.map((g) => g.stop()))
    await Promise.all(pollers.map((p) => p.stop()))
    await auth?.stop()
    await sim?.stop()
  }
  try {
    const simUrl = o.sim ? await startSim(o.sim, await freePort(), webhookUrl(gatewayPorts[0]!), env, launchSim) : null
    auth = proc('auth', 0, {})
    pollerPorts.forEach((port, i) => pollers.push(proc('poller', i, { POLLER_PORT: String(port), POLLER_INSTANCE_ID: `poller-${i + 1}`, ...o.pollerEnv?.(i) })))
    gatewayPorts.forEach((port, i) => gateways.push(proc('gateway', i, { GATEWAY_PORT: String(port) })))
    await Promise.all([readyz(authPort!, 'auth'), ...pollerPorts.map((p) => readyz(p, 'poller')), ...gatewayPorts.map((p) => readyz(p, 'gateway'))])
    return { gatewayUrls: gatewayPorts.map((p) => `http://127.0.0.1:${p}`), pollerPorts, simUrl, env, pollers, gateways, auth, stop }
  } catch (e) {
    await stop()
    throw e
  }
}
