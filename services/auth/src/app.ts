import { Counter } from '@kickmon/shared/metrics'
import type { ServiceStartContext } from '@kickmon/shared/service'
import { bootstrapAdmin } from './bootstrap.ts'
import { usesDemoSecrets, type AuthConfig } from './config.ts'
import type { AuthDeps } from './deps.ts'
import { authEndpoints } from './endpoints.ts'
import { internalEndpoints } from './internal-endpoints.ts'
import { withAdminSubjects } from './system-actors.ts'
import { Passwords } from './passwords.ts'
import { publicEndpoints } from './public-endpoints.ts'
import { pruneSessions } from './sessions.ts'
import { pruneFailures } from './throttle.ts'


const HOUSEKEEPING_MS = 10 * 60_000

/** Start the auth service on a wired context: bootstrap admin, endpoints, housekeeping. */
export async function startAuth(ctx: ServiceStartContext<AuthConfig>): Promise<AuthDeps> {
  const { config, log, nc } = ctx
  if (!ctx.sql) throw new Error('auth needs PostgreSQL (useDb: true)')
  const deps: AuthDeps = { config, sql: ctx.sql, nc, log, passwords: new Passwords() }
  // Not ready until the endpoints are registered (the runner's probes only see PostgreSQL and NATS).
  let started = false
  ctx.health?.addProbe({
    name: 'auth-endpoints', critical: true, timeoutMs: 100,
    run: async () => {
      if (!started) throw new Error('starting: waiting for migrations or the first admin')
    },
  })

  await waitForSchema(deps)
  await deps.passwords.dummyHash()
  await bootstrapAdmin(deps)
  if (usesDemoSecrets(config))
    log.warn('SESSION_SECRET or CONFIG_ENCRYPTION_KEY is a demo default: fine on loopback, never anywhere else')

  const logins = ctx.registry
    ? new Counter({ name: 'auth_logins_total', help: 'Login attempts by outcome', labelNames: ['outcome'] as const, registers: [ctx.registry] })
    : null
  ctx.addEndpoints(withAdminSubjects(authEndpoints(deps, { onLogin: (outcome) => logins?.inc({ outcome }) })))
  ctx.addEndpoints(withAdminSubjects(publicEndpoints(deps)))
  ctx.addEndpoints(internalEndpoints(deps))

  const housekeeping = async () => {
    try {
      const failures = await pruneFailures(deps.sql)
      const sessions = await pruneSessions(deps.sql)
      if (failures || sessions) log.debug({ failures, sessions }, 'pruned old login failures and sessions')
    } catch (err) {
      log.warn({ err }, 'housekeeping failed')
    }
  }
  void housekeeping()
  const timer = setInterval(housekeeping, HOUSEKEEPING_MS)
  ctx.onStop(() => clearInterval(timer))
  started = true
  return deps
}

/** auth's tables come from migrations 0001 and 0002; wait for them rather than crash. */
async function waitForSchema(deps: AuthDeps) {
  for (let attempt = 1; ; attempt++) {
    const [r] = await deps.sql<{ ok: boolean }[]>`select to_regclass('users') is not null and to_regclass('login_failures') is not null as ok`
    if (r?.ok) return
    if (attempt === 1 || attempt % 10 === 0) deps.log.warn('auth tables are missing: waiting for migrations (`kickmon db migrate`)')
    await Bun.sleep(1000)
  }
}
