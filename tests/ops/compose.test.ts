import { beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createUser } from '@nats-io/nkeys'
import { AuthConfigSchema } from '../../services/auth/src/config.ts'
import { GatewayConfigSchema } from '../../services/gateway/src/config.ts'
import { NotifierConfigSchema } from '../../services/notifier/src/config.ts'
import { PollerConfigSchema } from '../../services/poller/src/config.ts'
import { KickSimConfigSchema } from '../../services/kick-sim/src/config.ts'
import { createKickSim } from '../../services/kick-sim/src/sim.ts'
import { parseEnvFile, readCompose, resolvedEnv, type Compose } from './compose.ts'
import { effectiveUser, expandArgs, readDockerfile, ROOT, type Dockerfile } from './dockerfile.ts'
import { parseEnv } from '../../shared/src/parse-env.ts'

// compose.yaml checked without a Docker engine: it parses, its images are pinned and its
// builds exist, every service gets the variables it needs and nothing starts without the
// secrets, health checks ask the ports the services listen on, and the demo hangs together.

const APPS = ['auth', 'poller', 'gateway', 'notifier'] as const
const PORT_VAR = { auth: 'AUTH_PORT', poller: 'POLLER_PORT', gateway: 'GATEWAY_PORT', notifier: 'NOTIFIER_PORT' } as const
const seconds = (d: string) => {
  const m = /^(\d+)(ms|s|m)$/.exec(d)
  if (!m) throw new Error(`not a duration: ${d}`)
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as 'ms' | 's' | 'm']
}

// In the container the seed file comes from the nats-keys volume; here a real one stands in for it.
const seedStandIn = join(mkdtempSync(join(tmpdir(), 'kickmon-compose-')), 'seed.nk')
writeFileSync(seedStandIn, new TextDecoder().decode(createUser().getSeed()), { mode: 0o600 })
const mounted = (values: Record<string, string>) => (values.NATS_NKEY_SEED_FILE ? { ...values, NATS_NKEY_SEED_FILE: seedStandIn } : values)

describe('compose.yaml', () => {
  let c: Compose
  let df: Dockerfile
  let demo: Record<string, string>
  beforeAll(async () => {
    c = await readCompose()
    df = await readDockerfile()
    demo = parseEnvFile(await Bun.file(join(ROOT, 'deploy', 'demo.env')).text())
  })

  test('has nats, postgres, a one-shot migrate, the four services, kick-sim only in the demo profile and Caddy only in the proxy profile', () => {
    expect(Object.keys(c.services).sort()).toEqual(['auth', 'caddy', 'gateway', 'kick-sim', 'migrate', 'nats', 'nats-keys', 'notifier', 'poller', 'postgres'])
    expect(c.services['kick-sim']!.profiles).toEqual(['demo'])
    expect(c.services.caddy!.profiles).toEqual(['proxy'])
    for (const [name, s] of Object.entries(c.services)) if (name !== 'kick-sim' && name !== 'caddy') expect(s.profiles, name).toBeUndefined()
    expect(c.services.migrate!.restart).toBe('no')
    expect(c.services.migrate!.command).toEqual(['db', 'migrate'])
  })

  test('third-party images are pinned to a version; everything else is built from deploy/Dockerfile targets that exist', () => {
    const targets = new Set(df.stages.map((s) => s.name))
    const declaredArgs = new Set([...df.globalArgs.keys(), ...df.stages.flatMap((s) => s.instructions.filter((i) => i.op === 'ARG').map((i) => i.args.split('=')[0]!))])
    for (const [name, s] of Object.entries(c.services)) {
      if (s.image) {
        // A full version (PostgreSQL's are MAJOR.MINOR), never `latest` or a bare major.
        expect(s.image, name).toMatch(/^[\w./-]+:\d+\.\d+(\.\d+)?(-[\w.]+)?$/)
        continue
      }
      expect(s.build, name).toBeDefined()
      expect(existsSync(join(ROOT, s.build!.context, s.build!.dockerfile)), name).toBe(true)
      expect(targets.has(s.build!.target!), `${name}: target ${s.build!.target}`).toBe(true)
      for (const arg of Object.keys(s.build!.args ?? {})) expect(declaredArgs.has(arg), `${name}: build arg ${arg}`).toBe(true)
      expect(effectiveUser(df, s.build!.target!), `${name} runs as`).toBe('kickmon')
    }
    // The Bun the images are built with is the one the project pins.
    const bunVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@types/bun']
    for (const s of df.stages) if (!targets.has(s.from)) expect(expandArgs(s.from, df.globalArgs)).toMatch(new RegExp(`^oven/bun:${bunVersion!.replace(/\./g, '\\.')}(-slim)?$`))
    for (const s of Object.values(c.services)) if (s.build?.args?.BUN_VERSION) expect(s.build.args.BUN_VERSION).toBe(bunVersion!)
  })

  test('the services run under init with a restart policy and a stop grace longer than their 12 s drain', () => {
    for (const name of APPS) {
      const s = c.services[name]!
      expect(s.init, name).toBe(true)
      expect(['unless-stopped', 'always', 'on-failure'], name).toContain(s.restart!)
      expect(seconds(s.stop_grace_period!), name).toBeGreaterThan(12)
    }
  })

  test('nothing starts without the secrets: compose refuses, naming each one', () => {
    const missing = new Set<string>()
    for (const s of Object.values(c.services)) for (const e of resolvedEnv(s, {}).errors) missing.add(e.split(':')[0]!)
    expect([...missing].sort()).toEqual(['ADMIN_PASSWORD', 'AUTH_DB_PASSWORD', 'CONFIG_ENCRYPTION_KEY', 'NOTIFIER_DB_PASSWORD', 'NOTIFY_ENCRYPTION_KEY', 'POLLER_DB_PASSWORD', 'POSTGRES_PASSWORD', 'SESSION_SECRET', 'SHARE_LINK_SECRET'])
  })

  test("every service's environment is complete and valid for its own configuration schema", () => {
    const env = (name: string) => {
      const r = resolvedEnv(c.services[name]!, demo)
      expect(r.errors, name).toEqual([])
      return r.values
    }
    const poller = mounted(env('poller'))
    const auth = mounted(env('auth'))
    const gateway = mounted(env('gateway'))
    expect(() => parseEnv(PollerConfigSchema, poller)).not.toThrow()
    expect(() => parseEnv(AuthConfigSchema, auth)).not.toThrow()
    expect(() => parseEnv(GatewayConfigSchema, gateway)).not.toThrow()
    expect(() => parseEnv(NotifierConfigSchema, mounted(env('notifier')))).not.toThrow()
    expect(() => parseEnv(KickSimConfigSchema, env('kick-sim'))).not.toThrow()
    // What each service cannot do without is set explicitly, not left to .env.
    for (const [name, vars] of Object.entries({ poller: ['DATABASE_URL', 'NATS_URL', 'POLLER_PORT'], auth: ['DATABASE_URL', 'NATS_URL', 'AUTH_PORT', 'SESSION_SECRET', 'CONFIG_ENCRYPTION_KEY', 'ADMIN_PASSWORD'], gateway: ['NATS_URL', 'GATEWAY_PORT'], notifier: ['DATABASE_URL', 'NATS_URL', 'NOTIFIER_PORT', 'NOTIFY_ENCRYPTION_KEY'], migrate: ['DATABASE_URL'] }))
      for (const v of vars) expect(env(name)[v], `${name} ${v}`).toBeTruthy()
  })

  test('every address points at a compose service on the port it listens on', () => {
    const listens: Record<string, number> = { postgres: 5432, nats: 4222, gateway: 8080, 'kick-sim': 8090, poller: 8081, auth: 8082, notifier: 8083 }
    for (const [name, s] of Object.entries(c.services)) {
      for (const [k, v] of Object.entries(resolvedEnv(s, demo).values)) {
        if (!/^(postgres|nats|https?):\/\//.test(v)) continue
        const u = new URL(v)
        if (!(u.hostname in c.services)) continue // an outside address (api.kick.com)
        expect(Number(u.port), `${name} ${k}=${v}`).toBe(listens[u.hostname]!)
      }
    }
    expect(parseEnv(KickSimConfigSchema, resolvedEnv(c.services['kick-sim']!, demo).values).KICK_SIM_PORT).toBe(8090)
  })

  test('health checks run `kickmon healthcheck` against /readyz on the port each service listens on', () => {
    for (const name of APPS) {
      const s = c.services[name]!
      const port = resolvedEnv(s, demo).values[PORT_VAR[name]]
      expect(s.healthcheck!.test, name).toEqual(['CMD', '/app/bin/kickmon', 'healthcheck', `http://127.0.0.1:${port}/readyz`])
    }
    expect(c.services.nats!.healthcheck!.test.join(' ')).toContain('http://127.0.0.1:8222/healthz')
    expect(c.services.nats!.command).toEqual(expect.arrayContaining(['--jetstream', '--http_port', '8222']))
    expect(c.services.postgres!.healthcheck!.test.join(' ')).toContain('pg_isready -U kickmon -d kickmon')
  })

  test('start order: postgres → migrate → services; nats healthy first; state on named volumes', () => {
    expect(c.services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } })
    for (const name of ['auth', 'poller', 'notifier']) expect(c.services[name]!.depends_on, name).toEqual({ migrate: { condition: 'service_completed_successfully' }, nats: { condition: 'service_healthy' } })
    expect(c.services.gateway!.depends_on!.nats).toEqual({ condition: 'service_healthy' })
    for (const s of Object.values(c.services)) for (const dep of Object.keys(s.depends_on ?? {})) expect(c.services[dep]).toBeDefined()
    const store = c.services.nats!.command![c.services.nats!.command!.indexOf('--store_dir') + 1]
    expect(c.services.nats!.volumes).toEqual([`nats-data:${store}`, 'nats-keys:/keys:ro'])
    expect(c.services.postgres!.volumes).toEqual(['postgres-data:/var/lib/postgresql/data'])
    expect(Object.keys(c.volumes ?? {}).sort()).toEqual(['caddy-config', 'caddy-data', 'nats-data', 'nats-keys', 'postgres-data'])
  })

  test('NATS authenticates: keys made once by a one-shot, nats-server admits them, each service mounts only its own', () => {
    const keys = c.services['nats-keys']!
    expect([keys.build?.target, keys.restart]).toEqual(['kickmon', 'no'])
    const dir = keys.command![1]!
    expect(keys.command).toEqual(['nats-keys', dir])
    expect(keys.volumes).toEqual([`nats-keys:${dir}`])
    expect(c.services.nats!.depends_on).toEqual({ 'nats-keys': { condition: 'service_completed_successfully' } })
    const cmd = c.services.nats!.command!
    expect(cmd[cmd.indexOf('--config') + 1]).toBe('/keys/auth.conf')
    for (const name of APPS) {
      const file = resolvedEnv(c.services[name]!, demo).values.NATS_NKEY_SEED_FILE!
      expect(c.services[name]!.volumes, name).toEqual([{ type: 'volume', source: 'nats-keys', target: file, read_only: true, volume: { subpath: `${name}.nk` } }])
    }
  })

  test('the demo: the gateway verifies webhooks with the key kick-sim signs them with', () => {
    const simEnv = parseEnv(KickSimConfigSchema, resolvedEnv(c.services['kick-sim']!, demo).values)
    const sim = createKickSim({ channels: 0, activity: false, keySeed: simEnv.KICK_SIM_KEY_SEED })
    const gateway = parseEnv(GatewayConfigSchema, mounted(resolvedEnv(c.services.gateway!, demo).values))
    expect(gateway.KICK_WEBHOOK_PUBLIC_KEY.trim()).toBe(sim.publicKeyPem.trim())
    const poller = parseEnv(PollerConfigSchema, mounted(resolvedEnv(c.services.poller!, demo).values))
    expect([poller.KICK_CLIENT_ID, poller.KICK_CLIENT_SECRET]).toEqual([simEnv.KICK_SIM_CLIENT_ID, simEnv.KICK_SIM_CLIENT_SECRET])
  })
})
