import { describe, expect, test } from 'bun:test'
import { parseEnv } from '../../shared/src/parse-env.ts'
import { AuthConfigSchema } from '../../services/auth/src/config.ts'
import { GatewayConfigSchema } from '../../services/gateway/src/config.ts'
import { NotifierConfigSchema } from '../../services/notifier/src/config.ts'
import { PollerConfigSchema } from '../../services/poller/src/config.ts'
import { TrustedProxies } from '../../services/gateway/src/http/trusted-proxies.ts'
import { readForwarded } from '../../services/gateway/src/http/forwarded.ts'

const gateway = (env: Record<string, string>) => parseEnv(GatewayConfigSchema, env)
const req = (headers: Record<string, string>, url = 'http://kickmon.internal/login') => new Request(url, { headers })

describe('TRUSTED_PROXIES', () => {
  test('default none; addresses and CIDRs of both families, comma-separated, spaces allowed', () => {
    expect(gateway({}).TRUSTED_PROXIES).toEqual([])
    expect(gateway({ TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,::1 , fd00::/8' }).TRUSTED_PROXIES).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'])
  })

  test('a malformed entry is one config line naming it', () => {
    expect(() => gateway({ TRUSTED_PROXIES: '10.0.0.1,10.0.0.300,172.16.0.0/33' })).toThrow(
      'TRUSTED_PROXIES: "10.0.0.300" is not an IP address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1, ::1); "172.16.0.0/33" is not an IP address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1, ::1)',
    )
    for (const bad of ['caddy', '10.0.0.0/8/1', '10.0.0.0/x', '::1/129'])
      expect(() => gateway({ TRUSTED_PROXIES: bad }), bad).toThrow(`TRUSTED_PROXIES: "${bad}" is not an IP address or CIDR`)
  })

  test('the client is the rightmost X-Forwarded-For address that is not one of our proxies', () => {
    const p = new TrustedProxies(['127.0.0.1', '10.0.0.0/8'])
    expect(p.clientAddress('127.0.0.1', '1.1.1.1, 203.0.113.7')).toBe('203.0.113.7') // the left part is the client's own say
    expect(p.clientAddress('127.0.0.1', '203.0.113.7, 10.1.2.3')).toBe('203.0.113.7') // through two of our proxies
    expect(p.clientAddress('::ffff:127.0.0.1', '2001:db8::5')).toBe('2001:db8::5') // a dual-stack socket's IPv4 peer
    expect(p.clientAddress('127.0.0.1', '10.0.0.1, 10.0.0.2')).toBe('10.0.0.1') // nothing but proxies: the farthest
    expect(p.clientAddress('127.0.0.1', 'not-an-ip, 10.0.0.2')).toBe('127.0.0.1') // garbage: no further than the peer
    expect(p.clientAddress('127.0.0.1', null)).toBe('127.0.0.1')
  })

  test('forwarded headers from a peer that is not trusted are ignored, never an error', () => {
    const none = new TrustedProxies([])
    const spoof = req({ 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' })
    expect(readForwarded(spoof, '192.0.2.1', none)).toEqual({ client: '192.0.2.1', https: false, host: null })
    expect(readForwarded(spoof, '192.0.2.1', new TrustedProxies(['127.0.0.1']))).toEqual({ client: '192.0.2.1', https: false, host: null })
    expect(readForwarded(spoof, undefined, none)).toEqual({ client: undefined, https: false, host: null })
  })

  test('from a trusted proxy, -For, -Proto and -Host are believed', () => {
    const p = new TrustedProxies(['127.0.0.1'])
    const r = req({ 'x-forwarded-for': '198.51.100.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'kickmon.example.com' })
    expect(readForwarded(r, '127.0.0.1', p)).toEqual({ client: '198.51.100.4', https: true, host: 'kickmon.example.com' })
    expect(readForwarded(req({ 'x-forwarded-proto': 'http' }), '127.0.0.1', p).https).toBe(false)
    expect(readForwarded(req({}, 'https://direct.example/'), '127.0.0.1', p).https).toBe(true)
    expect(readForwarded(req({ 'x-forwarded-host': 'bad host/x' }), '127.0.0.1', p).host).toBeNull()
  })
})

test('health and metrics ports, and the gateway, listen on 127.0.0.1 unless <SERVICE>_HOST says otherwise', () => {
  const key = 'ab'.repeat(32)
  expect(gateway({}).GATEWAY_HOST).toBe('127.0.0.1')
  expect(parseEnv(PollerConfigSchema, {}).POLLER_HOST).toBe('127.0.0.1')
  expect(parseEnv(AuthConfigSchema, { CONFIG_ENCRYPTION_KEY: key }).AUTH_HOST).toBe('127.0.0.1')
  expect(parseEnv(NotifierConfigSchema, { NOTIFY_ENCRYPTION_KEY: key }).NOTIFIER_HOST).toBe('127.0.0.1')
  expect(gateway({ GATEWAY_HOST: '0.0.0.0' }).GATEWAY_HOST).toBe('0.0.0.0')
  expect(parseEnv(AuthConfigSchema, { CONFIG_ENCRYPTION_KEY: key, AUTH_HOST: '::' }).AUTH_HOST).toBe('::')
  expect(() => parseEnv(PollerConfigSchema, { POLLER_HOST: 'everywhere' })).toThrow('POLLER_HOST: must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::)')
})
