import { z } from 'zod'
import { AppError } from '@kickmon/shared/errors'
import { endpoint, type Endpoint, type RequestContext } from '@kickmon/shared/rpc'
import { AuthApi, type AuthEndpointName, type AuthOutput } from '@kickmon/shared/contracts/auth'
import { adminWriter, isAdmin, requireAdmin, requireUser, requireWrite, resolveActor, targetUser } from './actors.ts'
import { addAssignment, getAssignments, removeAssignment, setAssignments, visibleFor } from './assignments.ts'
import { createApiKey, listApiKeys, revokeApiKey, verifyApiKey } from './apikeys.ts'
import { audit, listAudit } from './audit.ts'
import { deleteConfig, getConfig, listConfig, setConfig } from './configstore.ts'
import type { AuthDeps } from './deps.ts'
import { publishApiKeyRevoked, publishRevoked } from './events.ts'
import { login } from './login.ts'
import { listSessions, revokeAndPublish, verifySession } from './sessions.ts'
import { changeOwnPassword, createUser, deleteUser, getUser, listUsers, setPassword, updateUser } from './users.ts'

// Every auth endpoint, in one table: subject and schemas come from the contract
// (shared/src/contracts/auth.ts); each handler resolves its actor and checks role, scope and
// object before doing anything. docs/auth.md has the same table for people.

type Handler<K extends AuthEndpointName> = (
  input: z.infer<(typeof AuthApi)[K]['input']>,
  rc: RequestContext,
) => Promise<AuthOutput<K>>

export type Hooks = { onLogin?: (outcome: 'ok' | 'failed' | 'throttled') => void }

export function authEndpoints(deps: AuthDeps, hooks: Hooks = {}): Endpoint<any, any>[] {
  const { sql } = deps
  const who = (a: Parameters<typeof resolveActor>[1]) => resolveActor(deps, a)

  const handlers: { [K in AuthEndpointName]: Handler<K> } = {
    // ------------------------------------------------------------ sessions
    login: (i) => login(deps, i, hooks.onLogin),
    verify: (i) => verifySession(deps, i.token),
    logout: async (i) => {
      const p = await who(i.actor)
      if (p.kind !== 'session') throw new AppError('BAD_REQUEST', 'logout ends the session the actor is using; API keys and system actors have none')
      await revokeAndPublish(deps, p.userId, 'logout', { only: p.sessionId })
      await audit(sql, { action: 'logout', actor: p, target: `user:${p.userId}` })
      return { ok: true }
    },
    sessionsList: async (i) => {
      const p = await who(i.actor)
      const uid = targetUser(p, i.user_id, 'list sessions')
      return { sessions: await listSessions(deps, uid, p.kind === 'session' ? p.sessionId : null) }
    },
    sessionsRevoke: async (i) => {
      const p = await who(i.actor)
      requireWrite(p)
      const [row] = await sql<{ user_id: number }[]>`
        update user_sessions set revoked_at = now()
        where id_hash = ${i.session_id} and revoked_at is null and expires_at > now()
          ${isAdmin(p) ? sql`` : sql`and user_id = ${p.userId}`}
        returning user_id`
      if (!row) throw new AppError('NOT_FOUND', 'there is no active session with that id')
      publishRevoked(deps, row.user_id, [i.session_id], 'revoked')
      await audit(sql, { action: 'session.revoke', actor: p, target: `user:${row.user_id}`, details: { session: i.session_id.slice(0, 12) } })
      return { ok: true }
    },

    // ------------------------------------------------------------ users
    usersCreate: async (i) => {
      const p = await adminWriter(deps, i.actor)
      return createUser(deps, p, i)
    },
    usersList: async (i) => {
      requireAdmin(await who(i.actor))
      return listUsers(sql, i.limit, i.offset)
    },
    usersGet: async (i) => getUser(sql, targetUser(await who(i.actor), i.user_id, 'read user details')),
    usersUpdate: async (i) => {
      const p = await who(i.actor)
      requireWrite(p)
      if (!isAdmin(p)) {
        if (i.user_id !== p.userId) throw new AppError('FORBIDDEN', 'you may only change your own account')
        if (i.role !== undefined || i.disabled !== undefined) throw new AppError('FORBIDDEN', 'only an admin may change roles or disable accounts')
      }
      return updateUser(deps, p, i.user_id, { role: i.role, display_name: i.display_name, disabled: i.disabled })
    },
    usersDelete: async (i) => {
      const p = await adminWriter(deps, i.actor)
      await deleteUser(deps, p, i.user_id)
      return { ok: true }
    },
    usersSetPassword: async (i) => {
      const p = await adminWriter(deps, i.actor)
      // ASVS 5.0 6.2.3: one's own password changes only with the current one (account.change_password).
      if (p.userId === i.user_id) throw new AppError('FORBIDDEN', 'change your own password with your current password (auth.account.change_password)')
      await setPassword(deps, p, i.user_id, i.password)
      return { ok: true }
    },
    accountGet: async (i) => {
      const p = await who(i.actor)
      requireUser(p, 'account look-ups')
      return { user: await getUser(sql, p.userId), via: p.kind, scope: p.scope, session_id: p.kind === 'session' ? p.sessionId : null }
    },
    accountChangePassword: async (i) => {
      const p = await who(i.actor)
      requireUser(p, 'password changes')
      requireWrite(p)
      return { ok: true, revoked_sessions: await changeOwnPassword(deps, p, i.current_password, i.new_password) }
    },

    // ------------------------------------------------------------ assignments
    assignmentsGet: async (i) => {
      const uid = targetUser(await who(i.actor), i.user_id, 'read streamer assignments')
      return { user_id: uid, slugs: await getAssignments(sql, uid) }
    },
    assignmentsSet: async (i) => {
      const p = await adminWriter(deps, i.actor)
      return { user_id: i.user_id, slugs: await setAssignments(deps, p, i.user_id, i.slugs) }
    },
    assignmentsAdd: async (i) => {
      const p = await who(i.actor)
      requireWrite(p)
      requireOwnAssignment(p, i.user_id)
      return { user_id: i.user_id, slug: i.slug, changed: await addAssignment(deps, p, i.user_id, i.slug) }
    },
    assignmentsRemove: async (i) => {
      const p = await who(i.actor)
      requireWrite(p)
      requireOwnAssignment(p, i.user_id)
      return { user_id: i.user_id, slug: i.slug, changed: await removeAssignment(deps, p, i.user_id, i.slug) }
    },
    accessVisible: async (i) => {
      const p = await who(i.actor)
      if (i.user_id !== undefined) targetUser(p, i.user_id, 'see visible streamers')
      return visibleFor(sql, p, i.user_id)
    },

    // ------------------------------------------------------------ API keys
    apikeysCreate: async (i) => {
      const p = await who(i.actor)
      requireWrite(p)
      if (p.kind === 'api_key') throw new AppError('FORBIDDEN', 'an API key cannot create API keys; sign in to create one')
      let uid: number
      if (p.kind === 'system') {
        if (i.user_id === undefined) throw new AppError('BAD_REQUEST', 'a system actor has no account of its own; pass user_id to create an API key')
        uid = i.user_id
      } else {
        if (i.user_id !== undefined && i.user_id !== p.userId) throw new AppError('FORBIDDEN', 'API keys are created by their owner')
        uid = p.userId
      }
      const out = await createApiKey(deps, uid, i.name, i.scope)
      await audit(sql, { action: 'apikey.create', actor: p, target: `user:${uid}`, details: { key_id: out.api_key.id, prefix: out.api_key.prefix, scope: i.scope, name: i.name } })
      return out
    },
    apikeysList: async (i) => {
      const uid = targetUser(await who(i.actor), i.user_id, 'list API keys')
      return { keys: await listApiKeys(deps, uid, i.include_revoked) }
    },
    apikeysRevoke: async (i) => {
      const p = await who(i.actor)
      requireWrite(p)
      const k = await revokeApiKey(deps, i.key_id, isAdmin(p) ? null : p.userId)
      await audit(sql, { action: 'apikey.revoke', actor: p, target: `user:${k.user_id}`, details: { key_id: i.key_id, prefix: k.prefix } })
      publishApiKeyRevoked(deps, i.key_id, k.user_id) // before the reply, so the asking gateway has it first
      return { ok: true }
    },
    apikeysVerify: (i) => verifyApiKey(deps, i.api_key),

    // ------------------------------------------------------------ configuration
    configGet: async (i) => {
      const p = await who(i.actor)
      requireAdmin(p)
      return getConfig(deps, p, i.key, i.reveal)
    },
    configList: async (i) => {
      const p = await who(i.actor)
      requireAdmin(p)
      return { items: await listConfig(deps, p, i.prefix, i.reveal) }
    },
    configSet: async (i) => {
      const p = await adminWriter(deps, i.actor)
      return setConfig(deps, p, i.key, i.value, i.encrypt)
    },
    configDelete: async (i) => {
      const p = await adminWriter(deps, i.actor)
      await deleteConfig(deps, p, i.key)
      return { ok: true }
    },

    // ------------------------------------------------------------ audit
    auditList: async (i) => {
      requireAdmin(await who(i.actor))
      return listAudit(deps, i)
    },
    auditStreamer: async (i) => {
      const p = await who(i.actor)
      requireWrite(p)
      const adminOnly = i.change === 'removed' || i.change === 'purged'
      if (!isAdmin(p) && (adminOnly || p.role !== 'user')) throw new AppError('FORBIDDEN', adminOnly ? 'only an admin stops monitoring a streamer or purges its history' : 'viewers cannot add streamers')
      const action = STREAMER_ACTIONS[i.change]
      await audit(sql, { action, actor: p, target: `streamer:${i.slug}`, ...(i.change === 'purged' && i.purged ? { details: { deleted: i.purged } } : {}) })
      return { ok: true }
    },
  }

  return (Object.keys(AuthApi) as AuthEndpointName[]).map((name) =>
    endpoint({ subject: AuthApi[name].subject, input: AuthApi[name].input, handle: handlers[name] as Handler<typeof name> }),
  )
}

const STREAMER_ACTIONS = { added: 'streamer.add', resumed: 'streamer.resume', removed: 'streamer.remove', purged: 'streamer.purge' } as const

/** assignments.add/remove: admins for anyone; a `user` for themselves; viewers never. */
function requireOwnAssignment(p: Awaited<ReturnType<typeof resolveActor>>, userId: number) {
  if (isAdmin(p)) return
  if (p.role !== 'user') throw new AppError('FORBIDDEN', 'viewers cannot change streamer assignments')
  if (p.userId !== userId) throw new AppError('FORBIDDEN', 'you may only change your own streamer assignments')
}
