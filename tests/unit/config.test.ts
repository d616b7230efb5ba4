import { describe, expect, test } from 'bun:test'
import { ConfigError, parseEnv } from '../../shared/src/parse-env.ts'
import { AuthConfigSchema } from '../../services/auth/src/config.ts'
import { GatewayConfigSchema, KICK_PUBLIC_KEY } from '../../services/gateway/src/config.ts'
import { KickSimConfigSchema } from '../../services/kick-sim/src/config.ts'
import { NotifierConfigSchema } from '../../services/notifier/src/config.ts'
import { PollerConfigSchema } from '../../services/poller/src/config.ts'

// Each service parses its own schema (its config.ts) with the one helper, parseEnv.
const poller = (env: Record<string, string>) => parseEnv(PollerConfigSchema, env)
const gateway = (env: Record<string, string>) => parseEnv(GatewayConfigSchema, env)
const key = 'ab'.repeat(32)

/** The config error lines for `env`. */
function problems(parse: () => unknown): string[] {
  try {
    parse()
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return (e as Error).message.split('\n')
  }
  throw new Error('the config was accepted')
}

describe('configuration from the environment', () => {
  test('defaults make a bare start work and match docs/design.md#configuration', () => {
    const kick = { KICK_API_URL: 'https://api.kick.com', KICK_AUTH_URL: 'https://id.kick.com', KICK_WEB_URL: 'https://kick.com' }
    expect(poller({})).toMatchObject({
      ...kick, POLLER_PORT: 8081, OFFLINE_GRACE_S: 30,
      KICK_WEBHOOKS: 'on', BROWSER_FALLBACK: 'off', KICK_SIM_CLIENT_ID: 'kickmon-demo', KICK_SIM_CLIENT_SECRET: 'kickmon-demo-secret',
    })
    const g = gateway({})
    expect(g).toMatchObject({ ...kick, GATEWAY_PORT: 8080, POLLER_PORT: 8081, AUTH_PORT: 8082 })
    expect(g.KICK_WEBHOOK_PUBLIC_KEY).toBe(KICK_PUBLIC_KEY)
    expect(parseEnv(AuthConfigSchema, { CONFIG_ENCRYPTION_KEY: key })).toMatchObject({ AUTH_PORT: 8082 })
    expect(parseEnv(NotifierConfigSchema, { NOTIFY_ENCRYPTION_KEY: key })).toMatchObject({ NOTIFIER_PORT: 8083, KICK_WEB_URL: 'https://kick.com' })
    expect(parseEnv(KickSimConfigSchema, {})).toMatchObject({ KICK_SIM_PORT: 8090, KICK_SIM_CLIENT_ID: 'kickmon-demo', KICK_SIM_CLIENT_SECRET: 'kickmon-demo-secret' })
  })

  test('numbers and switches are read from strings; blank values count as unset', () => {
    expect(poller({ POLL_INTERVAL_S: '5', BATCH_SIZE: '50', KICK_WEBHOOKS: 'off', POLLER_PORT: '', LOG_LEVEL: 'debug' }))
      .toMatchObject({ POLL_INTERVAL_S: 5, BATCH_SIZE: 50, KICK_WEBHOOKS: 'off', POLLER_PORT: 8081, LOG_LEVEL: 'debug' })
    expect(gateway({ GATEWAY_PORT: '', LOG_LEVEL: 'debug' })).toMatchObject({ GATEWAY_PORT: 8080, LOG_LEVEL: 'debug' })
  })

  test('each bad variable gets one line naming it and what is wrong', () => {
    const bad = { DATABASE_URL: 'mysql://x', POLL_INTERVAL_S: 'soon', BATCH_SIZE: '500', KICK_WEBHOOKS: 'yes' }
    const lines = problems(() => poller(bad))
    for (const name of Object.keys(bad)) expect(lines.some((l) => l.startsWith(`${name}: `))).toBe(true)
    expect(lines).toHaveLength(Object.keys(bad).length)

    const badAuth = { DATABASE_URL: 'mysql://x', SESSION_SECRET: 'short', CONFIG_ENCRYPTION_KEY: 'xyz' }
    const authLines = problems(() => parseEnv(AuthConfigSchema, badAuth))
    for (const name of Object.keys(badAuth)) expect(authLines.some((l) => l.startsWith(`${name}: `))).toBe(true)
    expect(authLines).toHaveLength(Object.keys(badAuth).length)
    expect(authLines.find((l) => l.startsWith('SESSION_SECRET'))).toBe('SESSION_SECRET: must be at least 32 characters')
  })

  test('a missing required variable is named with how to make one', () => {
    expect(problems(() => parseEnv(AuthConfigSchema, { CONFIG_ENCRYPTION_KEY: '  ' }))).toEqual([
      'CONFIG_ENCRYPTION_KEY: required (auth seals configuration secrets with it): generate one with openssl rand -hex 32',
    ])
    expect(problems(() => parseEnv(NotifierConfigSchema, {}))).toEqual([
      'NOTIFY_ENCRYPTION_KEY: required (the notifier seals channel secrets with it): generate one with openssl rand -hex 32',
    ])
  })

  test('each service reads only its own settings: one meant for another never stops it', () => {
    expect(() => poller({ SESSION_SECRET: 'short', TRUSTED_PROXIES: 'caddy', NOTIFY_MAX_AGE_S: 'never' })).not.toThrow()
    expect(() => gateway({ DATABASE_URL: 'mysql://x', POLL_INTERVAL_S: '0', CONFIG_ENCRYPTION_KEY: 'xyz' })).not.toThrow()
    expect(() => parseEnv(KickSimConfigSchema, { NATS_URL: 'http://x', POLL_INTERVAL_S: '0' })).not.toThrow()
    expect(Object.keys(gateway({}))).not.toContain('DATABASE_URL') // the gateway has no PostgreSQL
  })

  test('the request budget to Kick is 15/s unless KICK_REQUESTS_PER_S says otherwise, within 1 to 100', () => {
    expect(poller({}).KICK_REQUESTS_PER_S).toBe(15)
    expect(poller({ KICK_REQUESTS_PER_S: '40' }).KICK_REQUESTS_PER_S).toBe(40)
    expect(poller({ KICK_REQUESTS_PER_S: '2.5' }).KICK_REQUESTS_PER_S).toBe(2.5)
    expect(() => poller({ KICK_REQUESTS_PER_S: '0' })).toThrow('KICK_REQUESTS_PER_S: Too small: expected number to be >=1')
    expect(() => poller({ KICK_REQUESTS_PER_S: '500' })).toThrow('KICK_REQUESTS_PER_S: Too big: expected number to be <=100')
    expect(() => poller({ KICK_REQUESTS_PER_S: 'fast' })).toThrow(/^KICK_REQUESTS_PER_S: /)
  })

  test('a PEM key given with \\n escapes (as in .env files) is accepted', () => {
    const c = gateway({ KICK_WEBHOOK_PUBLIC_KEY: KICK_PUBLIC_KEY.replace(/\n/g, '\\n') })
    expect(c.KICK_WEBHOOK_PUBLIC_KEY).toBe(KICK_PUBLIC_KEY)
    expect(() => gateway({ KICK_WEBHOOK_PUBLIC_KEY: 'not a key' })).toThrow('KICK_WEBHOOK_PUBLIC_KEY: must be a PEM public key')
  })

  test('a service started with a bad variable exits 1 with that one line', async () => {
    const p = Bun.spawn(['bun', 'services/poller/src/main.ts'], { env: { ...process.env, POLL_INTERVAL_S: '0' }, stderr: 'pipe', stdout: 'pipe' })
    expect(await p.exited).toBe(1)
    expect((await new Response(p.stderr).text()).trim()).toBe('config error: POLL_INTERVAL_S: Too small: expected number to be >=1')
  })
})
