import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnvFile, readCompose, resolvedEnv } from './compose.ts'
import { ROOT } from './dockerfile.ts'

// Each service holds only its own secrets: the internet-facing gateway only the share-link key, auth its
// keys and the first admin's password, the poller Kick's secret, each its own database
// password, and the one-shot migrate the owner's (and the roles' it creates).

describe('compose.yaml hands no service a secret it does not read', () => {
  const ALLOWED: Record<string, string[]> = {
    SESSION_SECRET: ['auth'], CONFIG_ENCRYPTION_KEY: ['auth'], ADMIN_PASSWORD: ['auth'],
    KICK_CLIENT_SECRET: ['poller'], SHARE_LINK_SECRET: ['gateway'],
    POSTGRES_PASSWORD: ['postgres', 'migrate'], AUTH_DB_PASSWORD: ['auth', 'migrate'], POLLER_DB_PASSWORD: ['poller', 'migrate'],
    NOTIFIER_DB_PASSWORD: ['notifier', 'migrate'], NOTIFY_ENCRYPTION_KEY: ['notifier'],
    KICK_SIM_CLIENT_SECRET: ['kick-sim'], KICK_SIM_KEY_SEED: ['kick-sim'],
  }
  // A distinct, recognisable value per secret, so finding it anywhere (a URL included) is proof.
  const values = Object.fromEntries(Object.keys(ALLOWED).map((k) => [k, `secret-${k.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}`]))
  const env = { CONFIG_ENCRYPTION_KEY: 'ab'.repeat(32), ...values } as Record<string, string>
  values.CONFIG_ENCRYPTION_KEY = env.CONFIG_ENCRYPTION_KEY!
  const env2 = { ...env, CONFIG_ENCRYPTION_KEY: values.CONFIG_ENCRYPTION_KEY }

  test('no service reads .env or another env_file wholesale', async () => {
    const c = await readCompose()
    for (const [name, s] of Object.entries(c.services)) expect(s.env_file, name).toBeUndefined()
  })

  test('every secret reaches exactly the services that read it', async () => {
    const c = await readCompose()
    const holders: Record<string, string[]> = Object.fromEntries(Object.keys(ALLOWED).map((k) => [k, []]))
    for (const [name, s] of Object.entries(c.services)) {
      const r = resolvedEnv(s, env2)
      expect(r.errors, name).toEqual([])
      const all = Object.values(r.values).join('\n')
      for (const [k, v] of Object.entries(values)) if (all.includes(v)) holders[k]!.push(name)
    }
    for (const k of Object.keys(holders)) holders[k]!.sort()
    expect(holders).toEqual(Object.fromEntries(Object.entries(ALLOWED).map(([k, v]) => [k, [...v].sort()])))
  })

  test('auth and the poller log in as their own roles; the gateway has no database at all', async () => {
    const c = await readCompose()
    const user = (name: string) => new URL(resolvedEnv(c.services[name]!, env2).values.DATABASE_URL!).username
    expect([user('auth'), user('poller'), user('migrate')]).toEqual(['kickmon_auth', 'kickmon_poller', 'kickmon'])
    expect(resolvedEnv(c.services.gateway!, env2).values.DATABASE_URL).toBeUndefined()
    const migrate = resolvedEnv(c.services.migrate!, env2).values
    expect(migrate.AUTH_DATABASE_URL).toBe(resolvedEnv(c.services.auth!, env2).values.DATABASE_URL!)
    expect(migrate.POLLER_DATABASE_URL).toBe(resolvedEnv(c.services.poller!, env2).values.DATABASE_URL!)
  })
})

describe('systemd: each unit reads the shared settings and its own 0600 file, nothing else', () => {
  const DIR = join(ROOT, 'deploy', 'systemd')
  const SECRETS = ['SESSION_SECRET', 'CONFIG_ENCRYPTION_KEY', 'ADMIN_PASSWORD', 'KICK_CLIENT_SECRET', 'SHARE_LINK_SECRET', 'DATABASE_URL', 'AUTH_DATABASE_URL', 'POLLER_DATABASE_URL']
  const READS: Record<string, string[]> = {
    auth: ['SESSION_SECRET', 'CONFIG_ENCRYPTION_KEY', 'ADMIN_PASSWORD', 'DATABASE_URL'],
    poller: ['KICK_CLIENT_SECRET', 'DATABASE_URL'],
    gateway: ['SHARE_LINK_SECRET'],
    migrate: ['DATABASE_URL', 'AUTH_DATABASE_URL', 'POLLER_DATABASE_URL'],
  }
  const envFiles = (unit: string) =>
    [...readFileSync(join(DIR, `kickmon-${unit}.service`), 'utf8').matchAll(/^EnvironmentFile=(\S+)$/gm)].map((m) => m[1]!)
  const example = (path: string) => {
    const file = join(DIR, `${path.replace('/etc/kickmon/', '').replace(/\.env$/, '')}.env.example`)
    expect(existsSync(file), file).toBe(true)
    return parseEnvFile(readFileSync(file, 'utf8'))
  }

  test('the shared file holds no secret', () => {
    expect(Object.keys(example('/etc/kickmon/common.env')).filter((k) => SECRETS.includes(k))).toEqual([])
  })

  for (const [unit, reads] of Object.entries(READS)) {
    test(`${unit}: ${reads.length ? reads.join(', ') : 'no secret'}`, () => {
      expect(envFiles(unit)).toEqual(['/etc/kickmon/common.env', `/etc/kickmon/${unit}.env`])
      const handed = envFiles(unit).flatMap((f) => Object.keys(example(f))).filter((k) => SECRETS.includes(k))
      expect(handed.sort()).toEqual([...reads].sort())
      const url = example(`/etc/kickmon/${unit}.env`).DATABASE_URL
      if (url) expect(new URL(url).username).toBe({ auth: 'kickmon_auth', poller: 'kickmon_poller', migrate: 'kickmon' }[unit]!)
    })
  }

  test('docs/operations.md installs each unit\'s own file with mode 0600, owned by root', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8')
    for (const unit of Object.keys(READS)) expect(doc).toContain(`install -m 600 -o root -g root deploy/systemd/${unit}.env.example /etc/kickmon/${unit}.env`)
  })
})
