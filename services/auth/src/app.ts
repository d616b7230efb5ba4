import { waitForTables } from '@kickmon/shared/db'
import { Counter } from '@kickmon/shared/metrics'
import type { ServiceStartContext } from '@kickmon/shared/service'
import { bootstrapAdmin } from './bootstrap.ts'
import { usesDemoSecrets, type AuthConfig } from './config.ts'
import type { AuthDeps } from './deps.ts'
import { authEndpoints } from './endpoints.ts'
import { startHousekeeping } from './housekeeping.ts'
import { internalEndpoints } from './internal-endpoints.ts'
import { withAdminSubjects } from './system-actors.ts'
import { Passwords } from './passwords.ts'
import { publicEndpoints } from './public-endpoints.ts'

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

  // auth's tables come from migrations 0001 and 0002.
  await waitForTables(deps.sql, ['users', 'login_failures'], log, 'auth')
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

  ctx.onStop(startHousekeeping(deps))
  started = true
  return deps
}
