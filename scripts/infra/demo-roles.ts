// The demo runs each service as it runs in production: auth, the poller and the notifier log in as roles of
// their own (kickmon db roles), not as the owner of the tables.
import { createDb } from '../../shared/src/db.ts'
import { applyServiceRoles, DEFAULT_ROLES, type ServiceRole } from '../../shared/src/db-roles.ts'
import type { DbService } from '../../shared/src/db-grants.ts'

/** Creates or updates the roles; returns each service's DATABASE_URL. */
export async function demoServiceRoles(ownerUrl: string, password: (service: DbService) => string): Promise<Record<DbService, string>> {
  const urls = {} as Record<DbService, string>
  const roles: ServiceRole[] = []
  for (const service of ['auth', 'poller', 'notifier'] as const) {
    const u = new URL(ownerUrl)
    u.username = DEFAULT_ROLES[service]
    u.password = password(service)
    urls[service] = u.toString()
    roles.push({ service, role: DEFAULT_ROLES[service], password: password(service) })
  }
  const sql = createDb(ownerUrl, 'kickmon-roles', 1)
  try {
    await applyServiceRoles(sql, roles)
  } finally {
    await sql.end()
  }
  return urls
}
