import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createUser } from '@nats-io/nkeys'
import { serviceSchema } from '../../../shared/src/config.ts'
import { ConfigError, parseEnv } from '../../../shared/src/parse-env.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { connectNats } from '../../../shared/src/nats.ts'
import { testNats, type LocalNats } from '../../harness/infra.ts'
import { testNatsAuth } from '../../harness/nats-auth.ts'
import { eventually } from '../../harness/services.ts'

// NATS_CREDS / NATS_NKEY_SEED_FILE / NATS_TLS_*: a bad file stops a process with one line naming
// the variable and never its content; a permission refused at run time is one log line.

const dir = mkdtempSync(join(tmpdir(), 'kickmon-creds-test-'))
const file = (name: string, text: string) => {
  const p = join(dir, name)
  writeFileSync(p, text, { mode: 0o600 })
  return p
}
const seed = new TextDecoder().decode(createUser().getSeed())
// The NATS settings every service's schema has.
const natsSettings = serviceSchema({})
let nats: LocalNats

beforeAll(async () => {
  nats = await testNats()
})
afterAll(async () => {
  await nats?.destroy()
  rmSync(dir, { recursive: true, force: true })
})

/** The config error lines for `env`. */
function configLines(env: Record<string, string>): string[] {
  try {
    parseEnv(natsSettings, env)
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n')
    throw e
  }
  throw new Error('the config was accepted')
}

describe('credential settings', () => {
  test('a readable seed or .creds file is accepted', () => {
    const creds = file('ok.creds', `-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.c2ln\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`)
    expect(parseEnv(natsSettings, { NATS_NKEY_SEED_FILE: file('ok.nk', `${seed}\n`) }).NATS_NKEY_SEED_FILE).toEndWith('ok.nk')
    expect(parseEnv(natsSettings, { NATS_CREDS: creds }).NATS_CREDS).toBe(creds)
  })

  test('missing, unreadable or malformed files: one line naming the variable, never the content', () => {
    const missing = join(dir, 'nope.nk')
    expect(configLines({ NATS_NKEY_SEED_FILE: missing })).toEqual([`NATS_NKEY_SEED_FILE: no such file: ${missing}`])
    expect(configLines({ NATS_CREDS: dir })).toEqual([`NATS_CREDS: cannot read ${dir} (EISDIR)`])
    const wrong = file('wrong.nk', `${seed.slice(0, -4)}AAAA\n`) // a seed with a bad checksum
    expect(configLines({ NATS_NKEY_SEED_FILE: wrong })).toEqual([`NATS_NKEY_SEED_FILE: ${wrong} does not hold a NATS user nkey seed (one line starting with SU)`])
    const notCreds = file('bad.creds', `just the seed ${seed}`)
    const lines = configLines({ NATS_CREDS: notCreds })
    expect(lines).toEqual([`NATS_CREDS: ${notCreds} is not a NATS .creds file (a user JWT block and a user nkey seed block)`])
    expect(lines.join('\n')).not.toContain(seed)
    expect(configLines({ NATS_TLS_CA: file('ca.txt', 'not pem') })).toEqual([`NATS_TLS_CA: ${join(dir, 'ca.txt')} is not a PEM file`])
  })

  test('conflicting or half settings are named', () => {
    const nk = file('a.nk', seed)
    const creds = file('a.creds', `-----BEGIN NATS USER JWT-----\nabc.def.ghi\n------END NATS USER JWT------\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`)
    expect(configLines({ NATS_NKEY_SEED_FILE: nk, NATS_CREDS: creds })).toEqual(['NATS_CREDS: set NATS_CREDS or NATS_NKEY_SEED_FILE, not both'])
    const pem = file('cert.pem', '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n')
    expect(configLines({ NATS_TLS_CERT: pem })).toEqual(['NATS_TLS_KEY: NATS_TLS_CERT and NATS_TLS_KEY go together (a client certificate and its key)'])
  })

  test('a user and password in NATS_URL are refused without repeating them', () => {
    const lines = configLines({ NATS_URL: 'nats://poller:hunter2hunter2@127.0.0.1:4222' })
    expect(lines).toEqual(['NATS_URL: must not carry a user or password (the client ignores them): use NATS_CREDS or NATS_NKEY_SEED_FILE'])
  })

  test('a service with a bad credentials file stops with one config line', async () => {
    const proc = Bun.spawn(['bun', join(import.meta.dir, '../../../services/gateway/src/main.ts')], {
      env: { ...process.env, NATS_URL: nats.url, NATS_CREDS: join(dir, 'absent.creds'), GATEWAY_PORT: '0' },
      stdout: 'pipe', stderr: 'pipe',
    })
    expect(await proc.exited).toBe(1)
    expect((await new Response(proc.stderr).text()).trim()).toBe(`config error: NATS_CREDS: no such file: ${join(dir, 'absent.creds')}`)
  })
})

describe('at run time', () => {
  test('a refused subject is one log line naming the identity and the subject; the connection stays up', async () => {
    const lines: string[] = []
    const log = createLogger('gateway', 'info', { write: (s: string) => void lines.push(s) })
    const nc = await connectNats(nats.url, 'gateway', log, { NATS_NKEY_SEED_FILE: testNatsAuth().seeds.gateway })
    for (let i = 0; i < 5; i++) nc.publish('kick.status.someone', '{}')
    await nc.flush()
    const refused = () => lines.filter((l) => l.includes('NATS refused'))
    await eventually(() => refused().length > 0, 5_000, 'the log line')
    await Bun.sleep(300)
    expect(refused().length).toBe(1)
    const entry = JSON.parse(refused()[0]!) as { identity: string; subject: string; level: string; msg: string }
    expect(entry).toMatchObject({ identity: 'gateway', subject: 'kick.status.someone', level: 'error' })
    expect(entry.msg).toBe('NATS refused a publish to kick.status.someone for identity gateway (deploy/nats/permissions.ts)')
    expect(nc.isClosed()).toBe(false)
    // Nothing the process logged about NATS carries its seed.
    const seedText = readFileSync(testNatsAuth().seeds.gateway, 'utf8').trim()
    expect(lines.some((l) => l.includes(seedText) || /\bSU[A-Z2-7]{56}\b/.test(l))).toBe(false)
    await nc.close()
  })

  test('wrong credentials: the service keeps retrying with one clear warning, and gets in once the key is right', async () => {
    const lines: string[] = []
    const log = createLogger('poller', 'info', { write: (s: string) => void lines.push(s) })
    const seedFile = file('rotating.nk', `${new TextDecoder().decode(createUser().getSeed())}\n`) // unknown to the server
    const connecting = connectNats(nats.url, 'poller', log, { NATS_NKEY_SEED_FILE: seedFile })
    await eventually(() => lines.some((l) => l.includes('Authorization Violation')), 10_000, 'the refusal in the log')
    // The operator puts the right key in place: read again on the next attempt, no restart.
    writeFileSync(seedFile, readFileSync(testNatsAuth().seeds.poller))
    chmodSync(seedFile, 0o600)
    const nc = await connecting
    expect(nc.isClosed()).toBe(false)
    await nc.close()
  }, 30_000)
})
