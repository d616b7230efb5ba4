import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEnv } from '../../shared/src/parse-env.ts'
import { GatewayConfigSchema } from '../../services/gateway/src/config.ts'
import { parseEnvFile, readCompose, resolvedEnv } from './compose.ts'
import { ROOT } from './dockerfile.ts'

// compose.yaml against the Compose Specification's schema (dclint, offline: no Docker engine
// here), and the `proxy` profile's Caddy: the Caddyfile the end-to-end test runs, pointed at the
// gateway, the gateway trusting Caddy's address and no other.

test('compose.yaml, every profile included, is valid against the Compose Specification', async () => {
  // The one rule left out is a false positive: it cannot see the address inside ${KICKMON_HTTP:-127.0.0.1:8080}.
  const p = Bun.spawn(['node', join(ROOT, 'node_modules', 'dclint', 'bin', 'dclint.cjs'), join(ROOT, 'compose.yaml'), '--formatter', 'json', '--no-color', '--disable-rule', 'no-unbound-port-interfaces'], { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  const report = JSON.parse(out) as { messages: { rule: string; type: string; message: string }[] }[]
  const errors = report.flatMap((f) => f.messages).filter((m) => m.type === 'error')
  expect(errors, err).toEqual([])
  expect(code).toBe(0)
})

test("the proxy profile: Caddy with deploy/caddy/Caddyfile in front of the gateway, which trusts Caddy's address alone", async () => {
  const c = await readCompose()
  const caddy = c.services.caddy! as typeof c.services.caddy & { networks: Record<string, { ipv4_address: string }> }
  expect(caddy.volumes).toContain('./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro')
  expect(caddy.ports).toEqual(['80:80', '443:443', '443:443/udp'])
  const demo = parseEnvFile(await Bun.file(join(ROOT, 'deploy', 'demo.env')).text())
  const env = resolvedEnv(caddy, demo).values
  expect(env.KICKMON_UPSTREAM).toBe(`gateway:${resolvedEnv(c.services.gateway!, demo).values.GATEWAY_PORT}`)
  // The seed file is mounted from the nats-keys volume in the container; its checks are compose.test.ts's.
  const { NATS_NKEY_SEED_FILE: _seed, ...gatewayEnv } = resolvedEnv(c.services.gateway!, demo).values
  const gateway = parseEnv(GatewayConfigSchema, gatewayEnv)
  expect(gateway.TRUSTED_PROXIES).toEqual([caddy.networks.edge!.ipv4_address])
  expect(gateway.GATEWAY_HOST).toBe('0.0.0.0')

  // Caddy itself accepts the file with compose's environment, with a domain and with tls internal.
  const home = mkdtempSync(join(tmpdir(), 'kickmon-caddy-validate-'))
  try {
    for (const extra of [{}, { KICKMON_DOMAIN: 'kickmon.example.com' }, { KICKMON_TLS: 'internal', KICKMON_DOMAIN: 'kickmon.lan' }]) {
      const p = Bun.spawn(['caddy', 'adapt', '--adapter', 'caddyfile', '--config', join(ROOT, 'deploy', 'caddy', 'Caddyfile')], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home, ...env, ...extra }, stdout: 'pipe', stderr: 'pipe',
      })
      const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
      expect(code, err).toBe(0)
      const json = JSON.stringify(JSON.parse(out))
      expect(json).toContain('"dial":"gateway:8080"')
      expect(json).toContain(`"host":["${'KICKMON_DOMAIN' in extra ? extra.KICKMON_DOMAIN : 'localhost'}"]`)
      // `tls internal`: Caddy's own CA (localhost gets it anyway at run time); otherwise Let's Encrypt.
      expect(json.includes('"module":"internal"'), JSON.stringify(extra)).toBe('KICKMON_TLS' in extra)
    }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})
