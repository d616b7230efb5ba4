import { AppError } from '@kickmon/shared/errors'
import type { Role, User } from '@kickmon/shared/contracts/auth'
import type { Principal } from './actors.ts'
import { audit } from './audit.ts'
import { iso, isUniqueViolation, type AuthDeps, type Db } from './deps.ts'
import { publishAccessChanged, publishRevoked } from './events.ts'
import { checkNewPassword } from './passwords.ts'
import { revokeSessions } from './sessions.ts'
import { accountKey, checkThrottle, clearFailures, recordFailure } from './throttle.ts'

// Users: admin-managed accounts. Usernames are unique case-insensitively (users_username_lower).
// Changes that alter what a user may do (role, disabled, delete, password) end their sessions
// in the same transaction and are announced on NATS after commit.

type Row = { id: number; username: string; display_name: string | null; role: Role; disabled: boolean; created_at: Date }
const COLS = 'id, username, display_name, role, disabled, created_at'
export const toUser = (r: Row): User => ({ ...r, created_at: iso(r.created_at) })

const notFound = (id: number) => new AppError('NOT_FOUND', `there is no user with id ${id}`)
const taken = (name: string) => new AppError('CONFLICT', `the username "${name}" is taken`)

/** Serialises changes that could leave no enabled admin. */
const lockAdmins = (tx: Db) => tx`select pg_advisory_xact_lock(hashtext('kickmon-auth-admins'))`
async function otherEnabledAdmins(tx: Db, exceptId: number): Promise<number> {
  const [r] = await tx<{ n: number }[]>`select count(*)::int as n from users where role = 'admin' and not disabled and id <> ${exceptId}`
  return r!.n
}

export async function getUser(sql: Db, id: number): Promise<User> {
  const [row] = await sql<Row[]>`select ${sql.unsafe(COLS)} from users where id = ${id}`
  if (!row) throw notFound(id)
  return toUser(row)
}

export async function listUsers(sql: Db, limit: number, offset: number) {
  const rows = await sql<Row[]>`select ${sql.unsafe(COLS)} from users order by id limit ${limit} offset ${offset}`
  const [t] = await sql<{ n: number }[]>`select count(*)::int as n from users`
  return { users: rows.map(toUser), total: t!.n }
}

export async function createUser(
  deps: AuthDeps,
  actor: Principal,
  input: { username: string; password: string; role: Role; display_name?: string | null },
): Promise<User> {
  const { sql, passwords } = deps
  await checkNewPassword(input.password, input.username)
  const [exists] = await sql`select 1 from users where lower(username) = ${input.username.toLowerCase()}`
  if (exists) throw taken(input.username)
  const hash = await passwords.hash(input.password)
  try {
    const [row] = await sql<Row[]>`
      insert into users (username, display_name, password_hash, role)
      values (${input.username}, ${input.display_name ?? null}, ${hash}, ${input.role})
      returning ${sql.unsafe(COLS)}`
    const user = toUser(row!)
    await audit(sql, { action: 'user.create', actor, target: `user:${user.id}`, details: { username: user.username, role: user.role } })
    return user
  } catch (e) {
    if (isUniqueViolation(e)) throw taken(input.username)
    throw e
  }
}

export async function updateUser(
  deps: AuthDeps,
  actor: Principal,
  id: number,
  patch: { role?: Role; display_name?: string | null; disabled?: boolean },
): Promise<User> {
  const { sql } = deps
  const { user, revoked, roleChanged, disabledNow } = await sql.begin(async (tx) => {
    await lockAdmins(tx)
    const [cur] = await tx<Row[]>`select ${tx.unsafe(COLS)} from users where id = ${id} for update`
    if (!cur) throw notFound(id)
    const role = patch.role ?? cur.role
    const disabled = patch.disabled ?? cur.disabled
    const display = patch.display_name === undefined ? cur.display_name : patch.display_name
    const roleChanged = role !== cur.role
    const disabledNow = disabled && !cur.disabled
    if (cur.role === 'admin' && !cur.disabled && (role !== 'admin' || disabled) && (await otherEnabledAdmins(tx, id)) === 0)
      throw new AppError('CONFLICT', 'this is the last enabled admin; make another admin first')
    const [row] = await tx<Row[]>`
      update users set role = ${role}, disabled = ${disabled}, display_name = ${display}, updated_at = now()
      where id = ${id} returning ${tx.unsafe(COLS)}`
    const revoked = roleChanged || disabledNow ? await revokeSessions(tx, id) : []
    const changes: Record<string, unknown> = {}
    if (roleChanged) changes.role = { from: cur.role, to: role }
    if (disabled !== cur.disabled) changes.disabled = disabled
    if (display !== cur.display_name) changes.display_name = display
    if (Object.keys(changes).length) {
      const action = roleChanged ? 'user.role_change' : disabled !== cur.disabled ? (disabled ? 'user.disable' : 'user.enable') : 'user.update'
      await audit(tx, { action, actor, target: `user:${id}`, details: { username: cur.username, ...changes, revoked_sessions: revoked.length } })
    }
    return { user: toUser(row!), revoked, roleChanged, disabledNow }
  })
  publishRevoked(deps, id, revoked, disabledNow ? 'user_disabled' : 'role_changed')
  if (roleChanged || disabledNow) publishAccessChanged(deps, id)
  return user
}

export async function deleteUser(deps: AuthDeps, actor: Principal, id: number): Promise<void> {
  const { sql } = deps
  if (actor.userId === id) throw new AppError('CONFLICT', 'you cannot delete your own account')
  const revoked = await sql.begin(async (tx) => {
    await lockAdmins(tx)
    const [cur] = await tx<Row[]>`select ${tx.unsafe(COLS)} from users where id = ${id} for update`
    if (!cur) throw notFound(id)
    if (cur.role === 'admin' && !cur.disabled && (await otherEnabledAdmins(tx, id)) === 0)
      throw new AppError('CONFLICT', 'this is the last enabled admin; make another admin first')
    const ids = await revokeSessions(tx, id)
    await tx`delete from users where id = ${id}`
    await audit(tx, { action: 'user.delete', actor, target: `user:${id}`, details: { username: cur.username, role: cur.role } })
    return ids
  })
  publishRevoked(deps, id, revoked, 'user_deleted')
  publishAccessChanged(deps, id)
}

/** Admin reset: a new password and every session of the user ends. */
export async function setPassword(deps: AuthDeps, actor: Principal, id: number, password: string): Promise<void> {
  const { sql, passwords } = deps
  const [cur] = await sql<{ username: string }[]>`select username from users where id = ${id}`
  if (!cur) throw notFound(id)
  await checkNewPassword(password, cur.username)
  const hash = await passwords.hash(password)
  const revoked = await sql.begin(async (tx) => {
    const r = await tx`update users set password_hash = ${hash}, password_changed_at = now(), updated_at = now() where id = ${id}`
    if (!r.count) throw notFound(id)
    const ids = await revokeSessions(tx, id)
    await audit(tx, { action: 'password.reset', actor, target: `user:${id}`, details: { username: cur.username, revoked_sessions: ids.length } })
    return ids
  })
  publishRevoked(deps, id, revoked, 'password_reset')
}

/**
 * The caller's own password, given the current one. The caller's other sessions end; the
 * session making the change stays. Wrong current passwords count as failed logins.
 */
export async function changeOwnPassword(
  deps: AuthDeps,
  actor: Exclude<Principal, { kind: 'system' }>,
  current: string,
  next: string,
): Promise<number> {
  const { sql, passwords } = deps
  const [cur] = await sql<{ username: string; password_hash: string }[]>`select username, password_hash from users where id = ${actor.userId}`
  if (!cur) throw notFound(actor.userId)
  const account = accountKey(cur.username)
  const ip = actor.ip ?? ''
  await checkThrottle(sql, account, ip)
  if (!(await passwords.verify(current, cur.password_hash))) {
    await recordFailure(sql, account, ip)
    throw new AppError('VALIDATION', 'current_password: the current password is not right', {
      issues: [{ path: 'current_password', message: 'the current password is not right' }],
    })
  }
  await clearFailures(sql, account, ip)
  await checkNewPassword(next, cur.username, 'new_password')
  const hash = await passwords.hash(next)
  const keep = actor.kind === 'session' ? actor.sessionId : null
  const revoked = await sql.begin(async (tx) => {
    await tx`update users set password_hash = ${hash}, password_changed_at = now(), updated_at = now() where id = ${actor.userId}`
    const ids = await revokeSessions(tx, actor.userId, { keep })
    await audit(tx, { action: 'password.change', actor, target: `user:${actor.userId}`, details: { revoked_sessions: ids.length } })
    return ids
  })
  publishRevoked(deps, actor.userId, revoked, 'password_changed')
  return revoked.length
}
