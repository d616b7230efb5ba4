// auth, poller and gateway in one Bun process (ONE_PROCESS=on; docs/operations.md): for one
// machine with up to ~1,000 streamers, the modules Bun, NATS, zod, pino and friends cost are
// paid once instead of three times. Nothing about the contracts changes: each service still
// has its own config, NATS connection and identity (its own key), PostgreSQL role, `$SRV`
// registration, health port and logger, exactly as createService gives a process of its own.
// KICKMON_SERVICE_ENV (JSON, set by scripts/infra/stack.ts) holds each service's own variables
// over the shared environment, e.g. {"poller":{"NATS_NKEY_SEED_FILE":"…","DATABASE_URL":"…"}}.
import { loadEnv, type Env } from '../shared/src/parse-env.ts'
import { createService } from '../shared/src/service.ts'
import { AuthConfigSchema } from '../services/auth/src/config.ts'
import { authService } from '../services/auth/src/definition.ts'
import { GatewayConfigSchema } from '../services/gateway/src/config.ts'
import { gatewayService } from '../services/gateway/src/definition.ts'
import { PollerConfigSchema } from '../services/poller/src/config.ts'
import { pollerService } from '../services/poller/src/definition.ts'

type Name = 'auth' | 'poller' | 'gateway'
// Each service reads only its own settings, with its own schema, from its own environment.
const create = {
  auth: (env: Env) => createService(authService(loadEnv(AuthConfigSchema, env))),
  poller: (env: Env) => createService(pollerService(loadEnv(PollerConfigSchema, env))),
  gateway: (env: Env) => createService(gatewayService(loadEnv(GatewayConfigSchema, env))),
}
const own = JSON.parse(process.env.KICKMON_SERVICE_ENV || '{}') as Partial<Record<Name, Record<string, string>>>
const envOf = (name: Name) => {
  const { KICKMON_SERVICE_ENV: _, ...shared } = process.env
  return { ...shared, ...own[name] }
}

// In dependency order: the gateway asks auth and the poller; stopped in the reverse order.
const running: { name: Name; stop: () => Promise<void> }[] = []
let stopping = false
async function stopAll(code: number) {
  if (stopping) return
  stopping = true
  const hardExit = setTimeout(() => process.exit(1), 12_000)
  for (const s of running.reverse()) await s.stop().catch(() => {})
  clearTimeout(hardExit)
  setTimeout(() => process.exit(code), 50)
}
process.on('SIGTERM', () => void stopAll(0))
process.on('SIGINT', () => void stopAll(0))

try {
  for (const name of ['auth', 'poller', 'gateway'] as const) {
    const { stop } = await create[name](envOf(name))
    running.push({ name, stop })
  }
} catch (err) {
  console.error(JSON.stringify({ level: 'fatal', service: 'one-process', msg: `a service failed to start: ${(err as Error).message}` }))
  await stopAll(1)
}
