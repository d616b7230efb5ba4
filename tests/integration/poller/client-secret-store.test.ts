import { adminSubject } from '../../../shared/src/contracts/auth-internal.ts'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs, natsEnv } from '../../harness/nats-auth.ts'
import { startAuth } from '../../../services/auth/src/app.ts'
import { AuthConfigSchema } from '../../../services/auth/src/config.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { AuthApi } from '../../../shared/src/contracts/auth.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { createService } from '../../../shared/src/service.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import { parseEnv } from '../../../shared/src/parse-env.ts'

// `kickmon config set KICK_CLIENT_SECRET --secret` is how an operator gives the poller its Kick
// secret when it is not in the poller's env, and how they rotate it: the poller reads it from
// auth's configuration store whenever it needs a token, so no restart; the secret never reaches
// its logs; with no secret anywhere it still uses kick-sim's demo one. Real auth, real kick-sim.

const FIRST = 'first-app-secret-0f3b9c2d7e'
const SECOND = 'rotated-app-secret-8a1d4e6f2b'
const cli = { system: 'cli' } as const

describe('the poller takes KICK_CLIENT_SECRET from the configuration store', () => {
  let env: TestEnv
  let nc: NatsConnection
  let auth: Awaited<ReturnType<typeof inProcess>>
  let stopPoller: () => Promise<void>
  const lines: string[] = []
  let slug: string
  /** kick-sim accepts one client secret, as Kick does once the old one is revoked. */
  const kickAccepts = (secret: string) => ((env.sim.tokens.opts as { clientSecret: string }).clientSecret = secret)
  /** Revoking a secret at Kick also ends the tokens issued with it. */
  const expireTokens = () => fetch(`${env.simUrl}/_sim/tokens/expire`, { method: 'POST' }).then((r) => expect(r.status).toBe(200))
  const status = () => request(nc, PollerApi.get.subject, { slug }, PollerApi.get.output)
  /** A change at Kick the poller can only see with a valid token. */
  async function seen(viewers: number, what: string) {
    env.sim.world.update(slug, { live: true, viewers })
    await eventually(async () => (await status()).viewers === viewers, 30_000, what)
  }

  beforeAll(async () => {
    env = await testEnv({ channels: 3, clientSecret: FIRST })
    const base = env.config({ KICK_WEBHOOKS: 'off' })
    auth = await inProcess('auth', base, (ctx) => startAuth({ ...ctx, config: parseEnv(AuthConfigSchema, { ...process.env, ...Object.fromEntries(Object.entries(base).map(([k, v]) => [k, String(v)])) }) }))
    nc = await connectAs(env.nats.url, 'operator')
    await request(nc, adminSubject(AuthApi.configSet.subject), { actor: cli, key: 'KICK_CLIENT_SECRET', value: FIRST, encrypt: true }, AuthApi.configSet.output)

    slug = env.sim.world.list()[0]!.slug
    await env.db.sql`insert into streamers (slug, username) values (${slug}, ${slug})`
    // The operator's env has no KICK_CLIENT_SECRET. Every poller log line is kept to check it.
    const config = { ...base, KICK_CLIENT_SECRET: undefined, ...natsEnv('poller') }
    const logger = createLogger('poller', 'debug', { write: (s: string) => void lines.push(s) })
    const svc = await createService({ name: 'poller', description: 'poller (test)', port: 0, config, useDb: true, logger, start: async (c) => void (await startPoller(c)) })
    stopPoller = svc.stop
  }, 60_000)
  afterAll(async () => {
    await stopPoller?.()
    await nc?.close()
    await auth?.stop()
    await env?.destroy()
  })

  test('with the secret only in the store, the poller reads Kick', async () => {
    await seen(321, 'the poller to read Kick with the stored secret')
    expect(lines.some((l) => l.includes('"source":"config store"'))).toBe(true)
  })

  test('a rotated secret is used from the next token on, without restarting the poller', async () => {
    kickAccepts(SECOND)
    await request(nc, adminSubject(AuthApi.configSet.subject), { actor: cli, key: 'KICK_CLIENT_SECRET', value: SECOND, encrypt: true }, AuthApi.configSet.output)
    await expireTokens()
    await seen(654, 'the poller to read Kick with the rotated secret')
  })

  test('with no secret in the env or the store, the kick-sim demo secret is used as before', async () => {
    await request(nc, adminSubject(AuthApi.configDelete.subject), { actor: cli, key: 'KICK_CLIENT_SECRET' }, AuthApi.configDelete.output)
    kickAccepts('kickmon-demo-secret')
    await expireTokens()
    await seen(987, 'the poller to read Kick with the demo secret')
  })

  test('no poller log line holds the secret', () => {
    expect(lines.length).toBeGreaterThan(0)
    for (const l of lines) {
      expect(l).not.toContain(FIRST)
      expect(l).not.toContain(SECOND)
    }
  })
})
