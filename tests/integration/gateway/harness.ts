// A whole system in this process for gateway tests: a fresh database, a private nats-server,
// kick-sim, the real auth and poller services, and the gateway (listening on a free port,
// and its Elysia app for `app.handle`). Users, sessions and keys are made through the
// gateway's own API, the way a client would.
import type { Role } from '../../../shared/src/contracts/auth.ts'
import { startAuth } from '../../../services/auth/src/app.ts'
import { AuthConfigSchema } from '../../../services/auth/src/config.ts'
import { startGateway } from '../../../services/gateway/src/gateway.ts'
import { startNotifier } from '../../../services/notifier/src/app.ts'
import { NotifierConfigSchema } from '../../../services/notifier/src/config.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import { parseEnv } from '../../../shared/src/parse-env.ts'

export const ADMIN = { username: 'admin', password: 'correct horse battery' }

export type Client = {
  username: string
  role: Role
  id: number
  cookie: string
  csrf: string
  /** A request as this user's browser session (cookie; CSRF token added for state changes unless `csrf: false`). */
  fetch: (path: string, init?: RequestInit & { csrf?: boolean; json?: unknown }) => Promise<Response>
}

export type GatewayHarness = Awaited<ReturnType<typeof startGatewayHarness>>

export async function startGatewayHarness(o: { channels?: number; config?: Record<string, string> } = {}) {
  const env: TestEnv = await testEnv({ channels: o.channels ?? 6 })
  const config = env.config(o.config)
  const auth = await inProcess('auth', config, (ctx) => startAuth({ ...ctx, config: parseEnv(AuthConfigSchema, { ...process.env, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])) }) }))
  const poller = await inProcess('poller', config, (ctx) => startPoller(ctx))
  const notifier = await inProcess('notifier', config, (ctx) =>
    startNotifier({ ...ctx, config: parseEnv(NotifierConfigSchema, { ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])), NOTIFY_ALLOW_HOSTS: '127.0.0.1', NOTIFY_ENCRYPTION_KEY: 'ef'.repeat(32) }) }))
  const gw = await inProcess('gateway', config, (ctx) => startGateway(ctx, 0))
  const base = `http://127.0.0.1:${gw.result.port}`
  const app = gw.result.app

  /** Through the app (no socket): what most tests use. */
  const handle = (path: string, init: RequestInit = {}) => app.handle(new Request(base + path, init))

  const login = async (username: string, password: string): Promise<{ cookie: string; csrf: string; id: number; role: Role }> => {
    const r = await handle('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`)
    const body = (await r.json()) as { user: { id: number; role: Role }; csrf_token: string }
    const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ')
    return { cookie, csrf: body.csrf_token, id: body.user.id, role: body.user.role }
  }

  const client = (username: string, s: { cookie: string; csrf: string; id: number; role: Role }): Client => ({
    username, role: s.role, id: s.id, cookie: s.cookie, csrf: s.csrf,
    fetch: (path, init = {}) => {
      const headers = new Headers(init.headers)
      headers.set('cookie', s.cookie)
      const method = (init.method ?? 'GET').toUpperCase()
      if (init.csrf !== false && method !== 'GET') headers.set('x-csrf-token', s.csrf)
      let body = init.body
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json')
        body = JSON.stringify(init.json)
      }
      return handle(path, { ...init, headers, body })
    },
  })

  const admin = client(ADMIN.username, await login(ADMIN.username, ADMIN.password))
  let n = 0

  return {
    env, config, auth, poller, notifier, gw, base, app, handle, login, admin,
    feed: gw.result.feed,
    statuses: gw.result.statuses,
    /** Create a user through the API and log them in. */
    user: async (role: Role, password = 'user-password-1'): Promise<Client> => {
      const username = `${role}${++n}`
      const r = await admin.fetch('/api/v1/users', { method: 'POST', json: { username, password, role } })
      if (r.status !== 201) throw new Error(`create ${username}: ${r.status} ${await r.text()}`)
      return client(username, await login(username, password))
    },
    /** A streamer the poller monitors (added through the API) and the gateway has seen. */
    monitor: async (slug: string) => {
      const r = await admin.fetch('/api/v1/streamers', { method: 'POST', json: { slug } })
      if (r.status !== 201) throw new Error(`add ${slug}: ${r.status} ${await r.text()}`)
      await eventually(() => gw.result.statuses.get(slug), 10_000, `${slug} in the gateway`)
    },
    assign: async (userId: number, slugs: string[]) => {
      const r = await admin.fetch(`/api/v1/users/${userId}/streamers`, { method: 'PUT', json: { slugs } })
      if (r.status !== 200) throw new Error(`assign: ${r.status} ${await r.text()}`)
    },
    apiKey: async (c: Client, scope: 'read' | 'write') => {
      const r = await c.fetch('/api/v1/api-keys', { method: 'POST', json: { name: `${scope} key`, scope } })
      if (r.status !== 201) throw new Error(`api key: ${r.status} ${await r.text()}`)
      return ((await r.json()) as { key: string }).key
    },
    slugs: () => env.sim.world.list().map((c) => c.slug),
    stop: async () => {
      await gw.stop()
      await notifier.stop()
      await poller.stop()
      await auth.stop()
      await env.destroy()
    },
  }
}
