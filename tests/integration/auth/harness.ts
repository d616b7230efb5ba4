// In-process auth service against a fresh test database and a private nats-server, plus
// helpers to make users, sessions and keys quickly (argon2 is slow: one fixture hash per file).
import type { NatsConnection } from '@nats-io/transport-node'
import { ServiceError, Svcm } from '@nats-io/services'
import type { z } from 'zod'
import { AuthApi, type AuthEndpointName, type AuthInput, type Role } from '../../../shared/src/contracts/auth.ts'
import { createDb, type Sql } from '../../../shared/src/db.ts'
import { AppError } from '../../../shared/src/errors.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { addEndpoints, request } from '../../../shared/src/rpc.ts'
import { VERSION } from '../../../shared/src/service.ts'
import { startAuth } from '../../../services/auth/src/app.ts'
import { AuthConfigSchema, type AuthConfig } from '../../../services/auth/src/config.ts'
import type { AuthDeps } from '../../../services/auth/src/deps.ts'
import { ARGON2 } from '../../../services/auth/src/passwords.ts'
import { createSession } from '../../../services/auth/src/sessions.ts'
import { createApiKey } from '../../../services/auth/src/apikeys.ts'
import { createTestDb, testNats, type LocalNats, type TestDb } from '../../harness/infra.ts'
import { connectAs } from '../../harness/nats-auth.ts'
import { adminSubject } from '../../../shared/src/contracts/auth-internal.ts'
import { parseEnv } from '../../../shared/src/parse-env.ts'

export const ADMIN = { username: 'root', password: 'root-password-for-tests' }
/** Every fixture user has this password (hashed once per file). */
export const FIXTURE_PASSWORD = 'fixture-password-7'

export type AuthHarness = {
  db: TestDb
  nats: LocalNats
  /** The test's own connection (the service has another). */
  nc: NatsConnection
  config: AuthConfig
  deps: AuthDeps
  call: <K extends AuthEndpointName>(name: K, body: AuthInput<K> | Record<string, unknown>, opts?: { timeout?: number }) => Promise<z.infer<(typeof AuthApi)[K]['output']>>
  /** Resolves to the AppError the call answered with (throws when it succeeded). */
  fail: (name: AuthEndpointName, body: unknown) => Promise<AppError>
  user: (role: Role, opts?: { username?: string; disabled?: boolean }) => Promise<FixtureUser>
  session: (u: { id: number }, meta?: { ip?: string; user_agent?: string }) => Promise<{ token: string; session_id: string; csrf_token: string }>
  apiKey: (u: { id: number }, scope: 'read' | 'write') => Promise<{ key: string; id: number }>
  stop: () => Promise<void>
}

export type FixtureUser = { id: number; username: string; role: Role; password: string }

let seq = 0

export async function startAuthHarness(env: Record<string, string> = {}): Promise<AuthHarness> {
  const [db, nats] = await Promise.all([createTestDb(), testNats()])
  const config = parseEnv(AuthConfigSchema, {
    DATABASE_URL: db.url,
    NATS_URL: nats.url,
    SESSION_SECRET: 'test-session-secret-' + crypto.randomUUID(),
    CONFIG_ENCRYPTION_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex'),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    ...env,
  })
  const log = createLogger('auth', process.env.AUTH_TEST_LOG ?? 'silent')
  const serviceNc = await connectAs(nats, 'auth')
  const service = await new Svcm(serviceNc).add({ name: 'auth', version: VERSION, description: 'auth under test' })
  const sql: Sql = createDb(db.url, 'auth', 10)
  const stops: (() => Promise<void> | void)[] = []
  const deps = await startAuth({
    config, log, nc: serviceNc, sql,
    addEndpoints: (defs) => addEndpoints(service, defs, log),
    onStop: (fn) => void stops.push(fn),
  })
  // The test calls as the operator (the CLI's identity): system actors go to auth.admin.*, as the CLI sends them.
  const nc = await connectAs(nats, 'operator')
  const subjectFor = (name: AuthEndpointName, body: unknown) => {
    const actor = (body as { actor?: unknown } | null)?.actor
    return actor && typeof actor === 'object' && 'system' in actor ? adminSubject(AuthApi[name].subject) : AuthApi[name].subject
  }
  const fixtureHash = await Bun.password.hash(FIXTURE_PASSWORD, ARGON2)

  const call: AuthHarness['call'] = (name, body, opts) => request(nc, subjectFor(name, body), body, AuthApi[name].output as z.ZodType, opts) as never
  const fail: AuthHarness['fail'] = async (name, body) => {
    try {
      await request(nc, subjectFor(name, body), body, AuthApi[name].output as z.ZodType)
    } catch (e) {
      if (e instanceof AppError) return e
      throw e
    }
    throw new Error(`${name} succeeded but was expected to fail`)
  }

  return {
    db, nats, nc, config, deps, call, fail,
    user: async (role, opts = {}) => {
      const username = opts.username ?? `${role}${++seq}_${Math.random().toString(36).slice(2, 6)}`
      const [row] = await db.sql<{ id: number }[]>`
        insert into users (username, password_hash, role, disabled) values (${username}, ${fixtureHash}, ${role}, ${opts.disabled ?? false}) returning id`
      return { id: row!.id, username, role, password: FIXTURE_PASSWORD }
    },
    session: (u, meta) => createSession(deps, u.id, meta),
    apiKey: async (u, scope) => {
      const r = await createApiKey(deps, u.id, `test ${scope} key`, scope)
      return { key: r.key, id: r.api_key.id }
    },
    stop: async () => {
      for (const fn of stops) await fn()
      await service.stop().catch(() => {})
      await serviceNc.drain().catch(() => {})
      await nc.drain().catch(() => {})
      await sql.end({ timeout: 1 })
      await db.drop()
      await nats.destroy()
    },
  }
}

/** Send raw bytes to a subject; the reply's service-error code (or 0 on success) and body. */
export async function rawCall(nc: NatsConnection, subject: string, data: Uint8Array | string, timeout = 5000) {
  const msg = await nc.request(subject, data, { timeout })
  if (ServiceError.isServiceError(msg)) {
    const se = ServiceError.toServiceError(msg)!
    let body: { error?: { code?: string; message?: string } } = {}
    try {
      body = msg.json()
    } catch {}
    return { status: se.code, code: body.error?.code, message: body.error?.message ?? se.message }
  }
  return { status: 0, code: undefined, message: undefined, body: msg.json<unknown>() }
}

/** Collects messages on a subject; `next(ms)` yields them in order, waiting up to `ms` for one. */
export function collect<T>(nc: NatsConnection, subject: string) {
  const got: { at: number; data: T }[] = []
  let read = 0
  let waiter: (() => void) | null = null
  const sub = nc.subscribe(subject, {
    callback: (_err, m) => {
      got.push({ at: performance.now(), data: m.json<T>() })
      waiter?.()
    },
  })
  return {
    got,
    next: async (ms = 1000): Promise<T> => {
      if (read >= got.length) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => ((waiter = null), reject(new Error(`no message on ${subject} within ${ms} ms`))), ms)
          waiter = () => ((waiter = null), clearTimeout(t), resolve())
        })
      }
      return got[read++]!.data
    },
    flush: () => nc.flush(),
    stop: () => sub.unsubscribe(),
  }
}
