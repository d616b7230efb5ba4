import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs, testNatsAuth } from '../../tests/harness/nats-auth.ts'
import { gatewayLogin, type Session } from '../../tests/harness/gateway-login.ts'
import type { PrivateInfra } from '../../scripts/infra/private-infra.ts'
import { startStack, type Stack } from '../../scripts/infra/stack.ts'
import { BENCH_ADMIN, BENCH_ENV, startBenchInfra } from './bench-stack.ts'
import { ClientProcs } from './client-procs.ts'

export type GatewayOnly = {
  infra: PrivateInfra
  stack: Stack
  gatewayUrl: string
  gatewayPid: number
  /** The benchmark's connection as the operator, which may publish statuses as the poller does. */
  nc: NatsConnection
  /** A session of the bench admin, or of `user`. */
  login: (user?: { username: string; password: string }) => Promise<Session>
  /** Client processes of this benchmark (ClientProcs.ofThisScript), killed by `stop` if still running. */
  clients: <Req extends { type: string }, Reply extends { type: string }>(count: number) => Promise<ClientProcs<Req, Reply>>
  stop: () => Promise<void>
}

/**
 * auth and the gateway as real processes on a private PostgreSQL and nats-server, and no poller
 * or kick-sim: the benchmark publishes the statuses on NATS itself. `env` is over BENCH_ENV.
 */
export async function startGatewayOnly(env: Record<string, string> = {}): Promise<GatewayOnly> {
  const infra = await startBenchInfra()
  let stack: Stack | null = null
  try {
    stack = await startStack({ databaseUrl: infra.databaseUrl, natsUrl: infra.nats.url, natsAuth: testNatsAuth(), services: ['auth', 'gateway'], env: { ...BENCH_ENV, ...env } })
    const nc = await connectAs(infra.nats.url, 'operator')
    const s = stack
    const killClients: (() => Promise<void>)[] = []
    return {
      infra, stack, nc,
      gatewayUrl: stack.gatewayUrl,
      gatewayPid: stack.procs.get('gateway')!.pid!,
      login: (user = BENCH_ADMIN) => gatewayLogin(s.gatewayUrl, user),
      clients: async <Req extends { type: string }, Reply extends { type: string }>(count: number) => {
        const procs = await ClientProcs.ofThisScript<Req, Reply>(count)
        killClients.push(() => procs.kill())
        return procs
      },
      stop: async () => {
        for (const kill of killClients) await kill()
        await nc.drain().catch(() => {})
        await s.stop()
        await infra.destroy()
      },
    }
  } catch (e) {
    await stack?.stop()
    await infra.destroy()
    throw e
  }
}
