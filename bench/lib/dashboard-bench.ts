import { BENCH_ADMIN, BenchStack, type BenchStackOptions, type Session } from './bench-stack.ts'
import { BrowserProbe } from './browser-probe.ts'
import { ChangeDriver } from './changes.ts'
import { StatusWatch, WebhookWatch } from './status-watch.ts'
import type { NatsConnection } from '@nats-io/transport-node'
import { WsFleet } from './ws-fleet.ts'

export type DashboardBenchOptions = BenchStackOptions & {
  /** Dashboard WebSocket clients in bench/ws-clients.ts. */
  clients: number
  /** One real Chromium dashboard as well. */
  browser?: boolean
  /** Processes the sockets are spread over (one cannot parse a 1000 × 1000 burst as fast as the gateway sends it). */
  clientProcs?: number
}

/**
 * What the latency, burst and memory scenarios share: the stack with every streamer
 * monitored and fresh, a fleet of dashboard sockets, a Chromium page, and an observer on
 * `kick.status.>`.
 */
export class DashboardBench {
  private constructor(
    readonly b: BenchStack,
    readonly session: Session,
    readonly slugs: string[],
    readonly nc: NatsConnection,
    readonly watch: StatusWatch,
    readonly webhooks: WebhookWatch,
    readonly fleet: WsFleet,
    readonly probe: BrowserProbe | null,
    readonly driver: ChangeDriver,
    readonly setup: Record<string, number>,
  ) {}

  static async start(o: DashboardBenchOptions, say: (m: string) => void = console.log): Promise<DashboardBench> {
    const t0 = performance.now()
    const ms = () => Math.round(performance.now() - t0)
    say(`starting PostgreSQL, nats-server, kick-sim (${o.streamers} channels) and the services…`)
    const b = await BenchStack.start(o)
    const setup: Record<string, number> = { stack_ms: ms() }
    try {
      const slugs = await b.monitorAll()
      setup.monitor_ms = ms()
      const session = await b.login()
      await b.waitUntilFresh(session, slugs.length)
      setup.fresh_ms = ms()
      say(`${slugs.length} streamers monitored and fresh after ${(ms() / 1000).toFixed(1)} s`)
      if (o.webhooks === 'on') await waitForSubscriptions(b, slugs.length)
      const nc = await b.natsConnection('bench-observer')
      const watch = new StatusWatch(nc)
      const webhooks = new WebhookWatch(nc)
      const fleet = await WsFleet.spawn(o.clientProcs ?? (o.clients > 250 ? 2 : 1))
      say(`opening ${o.clients} dashboard sockets…`)
      const ready = await fleet.start(b.wsUrl, session.cookie, o.clients, slugs)
      setup.sockets_ms = Math.round(ready.ms)
      const probe = o.browser ? await BrowserProbe.open(b.gatewayUrl, BENCH_ADMIN.username, BENCH_ADMIN.password) : null
      const driver = await ChangeDriver.create(b.sim)
      say(`${ready.clients} sockets open in ${(ready.ms / 1000).toFixed(1)} s${probe ? ', Chromium dashboard open' : ''}`)
      return new DashboardBench(b, session, slugs, nc, watch, webhooks, fleet, probe, driver, setup)
    } catch (e) {
      printLogTail(b)
      await b.destroy()
      throw e
    }
  }

  async stop() {
    this.watch.stop()
    this.webhooks.stop()
    await this.probe?.close()
    await this.fleet.stop()
    await this.nc.drain().catch(() => {})
    await this.b.destroy()
  }
}

/** With KICK_WEBHOOKS=on the poller subscribes every streamer to Kick's events; wait for that. */
export async function waitForSubscriptions(b: BenchStack, count: number, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  let n = 0
  while (Date.now() < deadline) {
    const subs = await b.sim.subscriptions().catch(() => [])
    n = new Set(subs.filter((s) => s.event === 'livestream.status.updated').map((s) => s.broadcaster_user_id)).size
    if (n >= count) return
    await Bun.sleep(500)
  }
  throw new Error(`the webhook path is not available: after ${timeoutMs / 1000} s only ${n} of ${count} streamers had a livestream.status.updated subscription in kick-sim`)
}

export function printLogTail(b: BenchStack, lines = 30) {
  const tail = b.logs.filter((l) => /"level":(40|50|60)|"level":"(warn|error|fatal)"|error/i.test(l)).slice(-lines)
  if (tail.length) console.error('last warnings from the services:\n' + tail.map((l) => '  ' + l.slice(0, 400)).join('\n'))
}
