import { z } from 'zod'
import { Slug } from '../validation.ts'

// The auth service's NATS contract: every request and reply schema and every subject.
// The gateway and the CLI import these; services/auth parses requests with them, and
// callers parse replies with them (`request(nc, AuthApi.login.subject, body, AuthApi.login.output)`).
// docs/auth.md describes each endpoint, who may call it and what it answers.

// ---------------------------------------------------------------- building blocks

/** Any text field: bounded, and never a NUL (PostgreSQL text cannot hold one). */
const text = (min: number, max: number, what = 'text') =>
  z
    .string()
    .min(min, min === 1 ? `${what} must not be empty` : `${what} needs at least ${min} characters`)
    .max(max, `${what} may have at most ${max} characters`)
    .refine((s) => !s.includes('\u0000'), `${what} must not contain NUL characters`)

/** A credential: any junk up to the limit is answered UNAUTHENTICATED, never VALIDATION. */
const credential = (what: string) => z.string().min(1, `${what} must not be empty`).max(4096, `${what} may have at most 4096 characters`)

const int4 = z.number().int().positive().max(2_147_483_647)
const iso = z.iso.datetime({ offset: true })

export const Role = z.enum(['admin', 'user', 'viewer'])
export type Role = z.infer<typeof Role>

export const ApiKeyScope = z.enum(['read', 'write'])
export type ApiKeyScope = z.infer<typeof ApiKeyScope>

export const UserId = int4
export const USERNAME_RE = /^[A-Za-z0-9_.-]{1,64}$/
export const Username = z.string().regex(USERNAME_RE, 'a username is 1–64 characters of A-Z, a-z, 0-9, ".", "_" or "-"')

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128
/** Length in characters (code points), not UTF-16 units; no composition rules (ASVS 5.0 6.2). */
export const NewPassword = z
  .string()
  .max(PASSWORD_MAX * 4, `a password may have at most ${PASSWORD_MAX} characters`)
  .refine((s) => !s.includes('\u0000'), 'a password must not contain NUL characters')
  .refine((s) => [...s].length >= PASSWORD_MIN, `a password needs at least ${PASSWORD_MIN} characters`)
  .refine((s) => [...s].length <= PASSWORD_MAX, `a password may have at most ${PASSWORD_MAX} characters`)

export const DisplayName = text(1, 100, 'a display name')
  .transform((s) => s.trim())
  .refine((s) => s.length > 0 && !/\p{Cc}/u.test(s), 'a display name must not be blank or contain control characters')

/** The client's address as the gateway saw it (for the audit log and per-IP throttling). */
export const ClientIp = z.string().max(64, 'ip may have at most 64 characters').regex(/^[0-9A-Za-z.:%_-]*$/, 'ip must be an IPv4 or IPv6 address')
/** Truncated rather than refused: a long user agent must never stop a login. */
export const UserAgent = z
  .string()
  .max(4096)
  .transform((s) => s.replaceAll('\u0000', '').slice(0, 512))

/** Session ids on the wire are the SHA-256 hex of the secret id (what the database keeps). */
export const SessionId = z.string().regex(/^[0-9a-f]{64}$/, 'a session id is 64 lowercase hex characters')

export const ConfigKey = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'a configuration key is 1–128 characters of A-Z, a-z, 0-9, ".", "_" or "-"')

/**
 * Who is asking. auth resolves it itself on every call (deny by default):
 * - `{session}`: the JWT from login (the gateway's cookie);
 * - `{api_key}`: a `kmk_…` key; the key's user's role, and a `read` key changes nothing;
 * - `{system}`: an operator component (`cli`, `gateway`, …) acting as admin. Anyone who can
 *   publish on NATS can claim this, so NATS must be secured (docs/auth.md).
 * `ip` and `user_agent` are optional context for the audit log.
 */
const actorCtx = { ip: ClientIp.optional(), user_agent: UserAgent.optional() }
export const Actor = z.union(
  [
    z.strictObject({ session: credential('session'), ...actorCtx }),
    z.strictObject({ api_key: credential('api_key'), ...actorCtx }),
    z.strictObject({ system: z.string().regex(/^[a-z0-9_-]{1,32}$/), ...actorCtx }),
  ],
  { error: 'must be one of {session: <token>}, {api_key: <key>} or {system: <name>}' },
)
export type Actor = z.infer<typeof Actor>

const withActor = <T extends z.ZodRawShape>(shape: T) => z.object({ actor: Actor, ...shape })
const Ok = z.object({ ok: z.literal(true) })

export const User = z.object({
  id: z.number().int(),
  username: z.string(),
  display_name: z.string().nullable(),
  role: Role,
  disabled: z.boolean(),
  created_at: iso,
})
export type User = z.infer<typeof User>

export const SessionUser = z.object({ id: z.number().int(), username: z.string(), role: Role, display_name: z.string().nullable() })
export type SessionUser = z.infer<typeof SessionUser>

export const SessionInfo = z.object({
  session_id: SessionId,
  user_id: z.number().int(),
  created_at: iso,
  last_seen_at: iso,
  expires_at: iso,
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  /** True for the session the actor is using. */
  current: z.boolean(),
})

export const ApiKey = z.object({
  id: z.number().int(),
  user_id: z.number().int(),
  name: z.string(),
  prefix: z.string(),
  scope: ApiKeyScope,
  created_at: iso,
  last_used_at: iso.nullable(),
  revoked_at: iso.nullable(),
})
export type ApiKey = z.infer<typeof ApiKey>

export const MASK = '********'
export const ConfigEntry = z.object({
  key: z.string(),
  /** `"********"` for an encrypted value unless a system actor asked with `reveal: true`. */
  value: z.string(),
  encrypted: z.boolean(),
  updated_at: iso,
  updated_by: z.number().int().nullable(),
})
export type ConfigEntry = z.infer<typeof ConfigEntry>

export const AuditEntry = z.object({
  id: z.number().int(),
  at: iso,
  actor_id: z.number().int().nullable(),
  actor_name: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.unknown().nullable(),
})
export type AuditEntry = z.infer<typeof AuditEntry>

export const Visible = z.object({ all: z.boolean(), slugs: z.array(z.string()) })
export type Visible = z.infer<typeof Visible>

const limit = (max: number, d: number) => z.number().int().min(1).max(max).default(d)

// ---------------------------------------------------------------- endpoints

const api = <S extends string, I extends z.ZodType, O extends z.ZodType>(subject: S, input: I, output: O) => ({ subject, input, output })

export const AuthApi = {
  // sessions
  login: api(
    'auth.session.login',
    z.object({
      // Blank after trimming names no account (and the failure counter needs one to count against).
      username: text(1, 256, 'username').refine((s) => s.trim() !== '', 'username must not be empty'),
      password: text(1, 1024, 'password'),
      ip: ClientIp.optional(),
      user_agent: UserAgent.optional(),
    }),
    z.object({ user: SessionUser, token: z.string(), csrf_token: z.string(), session_id: SessionId, expires_at: iso }),
  ),
  verify: api(
    'auth.session.verify',
    z.object({ token: credential('token') }),
    z.object({ session_id: SessionId, user: SessionUser, csrf_token: z.string(), expires_at: iso }),
  ),
  logout: api('auth.session.logout', withActor({}), Ok),
  sessionsList: api('auth.sessions.list', withActor({ user_id: UserId.optional() }), z.object({ sessions: z.array(SessionInfo) })),
  sessionsRevoke: api('auth.sessions.revoke', withActor({ session_id: SessionId }), Ok),

  // users (admin) and the caller's own account
  usersCreate: api(
    'auth.users.create',
    withActor({ username: Username, password: NewPassword, role: Role, display_name: DisplayName.nullable().optional() }),
    User,
  ),
  usersList: api(
    'auth.users.list',
    withActor({ limit: limit(500, 100), offset: z.number().int().min(0).max(1_000_000).default(0) }),
    z.object({ users: z.array(User), total: z.number().int() }),
  ),
  usersGet: api('auth.users.get', withActor({ user_id: UserId }), User),
  usersUpdate: api(
    'auth.users.update',
    withActor({ user_id: UserId, role: Role.optional(), display_name: DisplayName.nullable().optional(), disabled: z.boolean().optional() }),
    User,
  ),
  usersDelete: api('auth.users.delete', withActor({ user_id: UserId }), Ok),
  usersSetPassword: api('auth.users.set_password', withActor({ user_id: UserId, password: NewPassword }), Ok),
  accountGet: api(
    'auth.account.get',
    withActor({}),
    z.object({ user: User, via: z.enum(['session', 'api_key']), scope: ApiKeyScope, session_id: SessionId.nullable() }),
  ),
  accountChangePassword: api(
    'auth.account.change_password',
    withActor({ current_password: text(1, 1024, 'current_password'), new_password: NewPassword }),
    z.object({ ok: z.literal(true), revoked_sessions: z.number().int() }),
  ),

  // which streamers each user may see
  assignmentsGet: api('auth.assignments.get', withActor({ user_id: UserId }), z.object({ user_id: z.number().int(), slugs: z.array(z.string()) })),
  assignmentsSet: api(
    'auth.assignments.set',
    withActor({ user_id: UserId, slugs: z.array(Slug).max(10_000, 'at most 10,000 slugs per user') }),
    z.object({ user_id: z.number().int(), slugs: z.array(z.string()) }),
  ),
  assignmentsAdd: api(
    'auth.assignments.add',
    withActor({ user_id: UserId, slug: Slug }),
    z.object({ user_id: z.number().int(), slug: z.string(), changed: z.boolean() }),
  ),
  assignmentsRemove: api(
    'auth.assignments.remove',
    withActor({ user_id: UserId, slug: Slug }),
    z.object({ user_id: z.number().int(), slug: z.string(), changed: z.boolean() }),
  ),
  accessVisible: api('auth.access.visible', withActor({ user_id: UserId.optional() }), Visible),

  // API keys
  apikeysCreate: api(
    'auth.apikeys.create',
    withActor({ name: text(1, 100, 'name'), scope: ApiKeyScope, user_id: UserId.optional() }),
    /** `key` is shown this once; only its SHA-256 is kept. */
    z.object({ key: z.string(), api_key: ApiKey }),
  ),
  apikeysList: api(
    'auth.apikeys.list',
    withActor({ user_id: UserId.optional(), include_revoked: z.boolean().default(false) }),
    z.object({ keys: z.array(ApiKey) }),
  ),
  apikeysRevoke: api('auth.apikeys.revoke', withActor({ key_id: UserId }), Ok),
  apikeysVerify: api(
    'auth.apikeys.verify',
    z.object({ api_key: credential('api_key') }),
    z.object({ key_id: z.number().int(), scope: ApiKeyScope, user: SessionUser }),
  ),

  // configuration store
  configGet: api('auth.config.get', withActor({ key: ConfigKey, reveal: z.boolean().default(false) }), ConfigEntry),
  configList: api(
    'auth.config.list',
    withActor({ prefix: z.string().max(128).regex(/^[A-Za-z0-9_.-]*$/).optional(), reveal: z.boolean().default(false) }),
    z.object({ items: z.array(ConfigEntry) }),
  ),
  configSet: api(
    'auth.config.set',
    withActor({ key: ConfigKey, value: text(0, 65_536, 'value'), encrypt: z.boolean().default(false) }),
    ConfigEntry,
  ),
  configDelete: api('auth.config.delete', withActor({ key: ConfigKey }), Ok),

  // audit log
  auditList: api(
    'auth.audit.list',
    withActor({
      limit: limit(500, 50),
      /** Page backwards: pass the previous answer's `next_before`. */
      before: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
      action: z.string().max(64).regex(/^[a-z_.]*$/).optional(),
      actor_id: UserId.optional(),
      target: text(1, 256, 'target').optional(),
    }),
    z.object({ items: z.array(AuditEntry), next_before: z.number().int().nullable() }),
  ),
  /**
   * Record that the actor started or stopped monitoring a streamer (the poller did it; the
   * gateway and the CLI tell auth afterwards, only when something changed): `added`,
   * `resumed` (an archived streamer added again), `removed` (archived, history kept) and
   * `purged` (an archived streamer's history deleted, with the rows deleted as `purged`).
   * Admins and system actors for all; users only additions and resumptions; read-only keys
   * and viewers nothing.
   */
  auditStreamer: api(
    'auth.audit.streamer',
    withActor({
      change: z.enum(['added', 'resumed', 'removed', 'purged']),
      slug: Slug,
      purged: z.object({ events: z.number().int().nonnegative(), sessions: z.number().int().nonnegative(), samples: z.number().int().nonnegative() }).optional(),
    }),
    Ok,
  ),
} as const

export type AuthEndpointName = keyof typeof AuthApi
export type AuthInput<K extends AuthEndpointName> = z.input<(typeof AuthApi)[K]['input']>
export type AuthOutput<K extends AuthEndpointName> = z.infer<(typeof AuthApi)[K]['output']>

/** Subject of every auth endpoint, by name. */
export const AuthEndpoints = Object.fromEntries(Object.entries(AuthApi).map(([k, v]) => [k, v.subject])) as {
  [K in AuthEndpointName]: (typeof AuthApi)[K]['subject']
}

// ---------------------------------------------------------------- events auth publishes

/** On `kickmon.auth.sessions.revoked` (subjects.sessionRevoked): close these sessions' sockets now. */
export const SessionsRevokedEvent = z.object({
  session_ids: z.array(SessionId),
  user_id: z.number().int(),
  reason: z.enum(['logout', 'revoked', 'password_changed', 'password_reset', 'role_changed', 'user_disabled', 'user_deleted']),
})
export type SessionsRevokedEvent = z.infer<typeof SessionsRevokedEvent>

/** On `kickmon.auth.access.changed` (subjects.accessChanged): re-read this user's visible streamers. */
export const AccessChangedEvent = z.object({ user_id: z.number().int() })
export type AccessChangedEvent = z.infer<typeof AccessChangedEvent>

/** On `kickmon.auth.apikeys.revoked` (subjects.apiKeyRevoked): refuse this key now, end its streams. */
export const ApiKeyRevokedEvent = z.object({ key_id: z.number().int(), user_id: z.number().int() })
export type ApiKeyRevokedEvent = z.infer<typeof ApiKeyRevokedEvent>

/** `details` of a RATE_LIMITED answer. */
export const RateLimitedDetails = z.object({ retry_after_s: z.number().int().positive() })
