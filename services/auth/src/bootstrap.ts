import { USERNAME_RE } from '@kickmon/shared/contracts/auth'
import type { AuthDeps } from './deps.ts'
import { isCommonPassword } from './common-passwords.ts'
import { audit } from './audit.ts'

/**
 * The first admin, from ADMIN_USERNAME / ADMIN_PASSWORD, created once: only while no enabled
 * admin exists. Several auth instances starting together create it once (advisory lock).
 */
export async function bootstrapAdmin(deps: AuthDeps): Promise<'exists' | 'created' | 'skipped'> {
  const { sql, log, config } = deps
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('kickmon-auth-bootstrap'))`
    const [admin] = await tx`select 1 from users where role = 'admin' and not disabled limit 1`
    if (admin) return 'exists'
    const username = config.ADMIN_USERNAME
    const password = config.ADMIN_PASSWORD
    if (!password) {
      log.warn(
        { username },
        'no admin account exists and ADMIN_PASSWORD is not set: set ADMIN_PASSWORD (8–128 characters) and restart auth to create the first admin, or create one with the CLI',
      )
      return 'skipped'
    }
    if (!USERNAME_RE.test(username)) {
      log.error({ username }, 'ADMIN_USERNAME is not a valid username (1–64 of A-Z a-z 0-9 . _ -); no admin created')
      return 'skipped'
    }
    const [clash] = await tx`select 1 from users where lower(username) = ${username.toLowerCase()}`
    if (clash) {
      log.error({ username }, 'no enabled admin exists, but the user named by ADMIN_USERNAME exists and is not one; promote it with the CLI (a system actor) or choose another ADMIN_USERNAME')
      return 'skipped'
    }
    if (isCommonPassword(password))
      log.warn({ username }, 'ADMIN_PASSWORD is one of the most common passwords; change it after signing in')
    const hash = await deps.passwords.hash(password)
    const [u] = await tx<{ id: number }[]>`
      insert into users (username, display_name, password_hash, role) values (${username}, 'Administrator', ${hash}, 'admin') returning id`
    await audit(tx, { action: 'user.bootstrap', actorName: 'system:bootstrap', target: `user:${u!.id}`, details: { username, role: 'admin' } })
    log.info({ username }, 'created the first admin from ADMIN_USERNAME / ADMIN_PASSWORD')
    return 'created'
  })
}
