import { describe, expect, test } from 'bun:test'
import { ConfigError, KICK_PUBLIC_KEY, parseConfig } from '../../shared/src/config.ts'

describe('configuration from the environment', () => {
  test('defaults make a bare start work and match docs/design.md#configuration', () => {
    const c = parseConfig({})
    expect(c).toMatchObject({
      KICK_API_URL: 'https://api.kick.com', KICK_AUTH_URL: 'https://id.kick.com', KICK_WEB_URL: 'https://kick.com',
      GATEWAY_PORT: 8080, POLLER_PORT: 8081, AUTH_PORT: 8082, KICK_SIM_PORT: 8090, OFFLINE_GRACE_S: 30,
      KICK_WEBHOOKS: 'on', BROWSER_FALLBACK: 'off', KICK_SIM_CLIENT_ID: 'kickmon-demo', KICK_SIM_CLIENT_SECRET: 'kickmon-demo-secret',
    })
    expect(c.KICK_WEBHOOK_PUBLIC_KEY).toBe(KICK_PUBLIC_KEY)
  })

  test('numbers and switches are read from strings; blank values count as unset', () => {
    const c = parseConfig({ POLL_INTERVAL_S: '5', BATCH_SIZE: '50', KICK_WEBHOOKS: 'off', GATEWAY_PORT: '', LOG_LEVEL: 'debug' })
    expect(c).toMatchObject({ POLL_INTERVAL_S: 5, BATCH_SIZE: 50, KICK_WEBHOOKS: 'off', GATEWAY_PORT: 8080, LOG_LEVEL: 'debug' })
  })

  test('each bad variable gets one line naming it and what is wrong', () => {
    const bad = { DATABASE_URL: 'mysql://x', POLL_INTERVAL_S: 'soon', BATCH_SIZE: '500', KICK_WEBHOOKS: 'yes', SESSION_SECRET: 'short', CONFIG_ENCRYPTION_KEY: 'xyz' }
    let err: unknown
    try {
      parseConfig(bad)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const lines = (err as Error).message.split('\n')
    for (const name of Object.keys(bad)) expect(lines.some((l) => l.startsWith(`${name}: `))).toBe(true)
    expect(lines).toHaveLength(Object.keys(bad).length)
    expect(lines.find((l) => l.startsWith('SESSION_SECRET'))).toBe('SESSION_SECRET: must be at least 32 characters')
  })

  test('the request budget to Kick is 15/s unless KICK_REQUESTS_PER_S says otherwise, within 1 to 100', () => {
    expect(parseConfig({}).KICK_REQUESTS_PER_S).toBe(15)
    expect(parseConfig({ KICK_REQUESTS_PER_S: '40' }).KICK_REQUESTS_PER_S).toBe(40)
    expect(parseConfig({ KICK_REQUESTS_PER_S: '2.5' }).KICK_REQUESTS_PER_S).toBe(2.5)
    expect(() => parseConfig({ KICK_REQUESTS_PER_S: '0' })).toThrow('KICK_REQUESTS_PER_S: Too small: expected number to be >=1')
    expect(() => parseConfig({ KICK_REQUESTS_PER_S: '500' })).toThrow('KICK_REQUESTS_PER_S: Too big: expected number to be <=100')
    expect(() => parseConfig({ KICK_REQUESTS_PER_S: 'fast' })).toThrow(/^KICK_REQUESTS_PER_S: /)
  })

  test('a PEM key given with \\n escapes (as in .env files) is accepted', () => {
    const c = parseConfig({ KICK_WEBHOOK_PUBLIC_KEY: KICK_PUBLIC_KEY.replace(/\n/g, '\\n') })
    expect(c.KICK_WEBHOOK_PUBLIC_KEY).toBe(KICK_PUBLIC_KEY)
    expect(() => parseConfig({ KICK_WEBHOOK_PUBLIC_KEY: 'not a key' })).toThrow('KICK_WEBHOOK_PUBLIC_KEY: must be a PEM public key')
  })

  test('a service started with a bad variable exits 1 with that one line', async () => {
    const p = Bun.spawn(['bun', 'services/poller/src/main.ts'], { env: { ...process.env, POLL_INTERVAL_S: '0' }, stderr: 'pipe', stdout: 'pipe' })
    expect(await p.exited).toBe(1)
    expect((await new Response(p.stderr).text()).trim()).toBe('config error: POLL_INTERVAL_S: Too small: expected number to be >=1')
  })
})
