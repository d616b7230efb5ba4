import { AppError } from '@kickmon/shared/errors'
import type { AuthInput, AuthOutput, Role } from '@kickmon/shared/contracts/auth'
import { audit } from './audit.ts'
import type { AuthDeps } from './deps.ts'
import { createSession } from './sessions.ts'
import { accountKey, checkThrottle, clearFailures, recordFailure } from './throttle.ts'

// Login: throttle first (before any hashing), then one argon2 verify whether or not the user
// exists, then a fresh session. Every failure gets the same code, message and about the same
// time, so answers never tell whether a username exists.

export const LOGIN_FAILED = 'invalid username or password'

type UserRow = { id: number; username: string; role: Role; display_name: string | null; password_hash: string; disabled: boolean }

export async function login(deps: AuthDeps, input: AuthInput<'login'>, onOutcome?: (o: 'ok' | 'failed' | 'throttled') => void): Promise<AuthOutput<'login'>> {
  const { sql, passwords, log } = deps
  const account = accountKey(input.username)
  const ip = input.ip ?? ''
  const throttle = async () => {
    try {
      await checkThrottle(sql, account, ip)
    } catch (e) {
      onOutcome?.('throttled')
      throw e
    }
  }
  await throttle()

  const [user] = await sql<UserRow[]>`
    select id, username, role, display_name, password_hash, disabled from users where lower(username) = ${account}`
  const ok = await passwords.verify(input.password, user?.password_hash ?? null, throttle)

  if (!ok || !user || user.disabled) {
    await recordFailure(sql, account, ip)
    await audit(sql, {
      action: 'login.failure',
      actorId: user?.id ?? null,
      actorName: user?.username ?? null,
      target: account.slice(0, 64),
      ip: input.ip,
      details: { reason: !user ? 'unknown_user' : !ok ? 'wrong_password' : 'disabled' },
    })
    onOutcome?.('failed')
    throw new AppError('UNAUTHENTICATED', LOGIN_FAILED)
  }

  if (passwords.needsRehash(user.password_hash)) {
    try {
      const fresh = await passwords.hash(input.password)
      await sql`update users set password_hash = ${fresh} where id = ${user.id} and password_hash = ${user.password_hash}`
      log.info({ userId: user.id }, 'password rehashed with current parameters')
    } catch (err) {
      log.warn({ err, userId: user.id }, 'could not rehash password') // the login still succeeds
    }
  }

  await clearFailures(sql, account, ip)
  const s = await createSession(deps, user.id, { ip: input.ip, user_agent: input.user_agent })
  await audit(sql, { action: 'login.success', actorId: user.id, actorName: user.username, target: user.username, ip: input.ip, details: { session: s.session_id.slice(0, 12) } })
  onOutcome?.('ok')
  return { user: { id: user.id, username: user.username, role: user.role, display_name: user.display_name }, ...s }
}
