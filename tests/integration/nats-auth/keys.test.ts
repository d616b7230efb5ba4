import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node'
import { renderPermissions } from '../../../scripts/infra/nats-auth.ts'
import { startLocalNats, type LocalNats } from '../../../scripts/infra/nats.ts'
import { ENTRY, kickmon } from '../cli/run.ts'

// `kickmon nats-keys`: the keys of an install, a new subscriber, and a rotation against a live
// nats-server (reloaded with SIGHUP, as `systemctl reload nats-server` does).

const root = mkdtempSync(join(tmpdir(), 'kickmon-keys-test-'))
const dir = join(root, 'nats')
let nats: LocalNats
const cli = (...args: string[]) => kickmon(['nats-keys', dir, ...args], { bin: [process.execPath, ENTRY] })
const seedOf = (name: string) => readFileSync(join(dir, name), 'utf8').trim()
const as = (seed: string): Promise<NatsConnection> =>
  connect({ servers: nats.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)), reconnect: false, inboxPrefix: '_INBOX_gateway' })
const reload = async () => {
  nats.kill('SIGHUP')
  await Bun.sleep(500)
}

beforeAll(async () => {
  const r = await cli()
  expect(r.code).toBe(0)
  nats = await startLocalNats({ storeDir: join(root, 'store'), authConf: join(dir, 'auth.conf') })
})
afterAll(async () => {
  await nats?.destroy()
  rmSync(root, { recursive: true, force: true })
})

test('deploy/nats/permissions.conf is what deploy/nats/permissions.ts says', () => {
  expect(readFileSync(join(import.meta.dir, '../../../deploy/nats/permissions.conf'), 'utf8')).toBe(renderPermissions())
})

describe('kickmon nats-keys', () => {
  test('one seed per identity, readable by its owner only; the server files are public; a second run keeps the keys', async () => {
    const mode = (f: string) => (statSync(join(dir, f)).mode & 0o777).toString(8)
    for (const id of ['poller', 'auth', 'gateway', 'notifier', 'operator', 'subscriber']) {
      expect(mode(`${id}.nk`)).toBe('600')
      expect(seedOf(`${id}.nk`)).toMatch(/^SU[A-Z2-7]{56}$/)
    }
    expect([mode('auth.conf'), mode('permissions.conf'), (statSync(dir).mode & 0o777).toString(8)]).toEqual(['644', '644', '711'])
    const before = seedOf('gateway.nk')
    const r = await cli('--json')
    expect(r.code).toBe(0)
    expect(seedOf('gateway.nk')).toBe(before)
    const out = JSON.parse(r.stdout) as { keys: { identity: string; public_key: string }[] }
    expect(out.keys.map((k) => k.identity).sort()).toEqual(['auth', 'gateway', 'notifier', 'operator', 'poller', 'subscriber'])
    expect(r.stdout).not.toContain(before) // public keys only, never a seed
  })

  test('--add-subscriber: a new read-only key, admitted after a reload', async () => {
    const r = await cli('--add-subscriber', 'acme')
    expect(r.code).toBe(0)
    await reload()
    const nc = await connect({ servers: nats.url, authenticator: nkeyAuthenticator(new TextEncoder().encode(seedOf('subscriber-acme.nk'))), reconnect: false })
    const sub = nc.subscribe('kick.status.>')
    await nc.flush()
    await expect(nc.request('auth.session.login', '{}', { timeout: 1000 })).rejects.toThrow(/Permissions Violation/)
    expect(sub.isClosed()).toBe(false)
    await nc.close()
    const again = await cli('--add-subscriber', 'acme')
    expect([again.code, again.stderr.trim()]).toEqual([5, `kickmon: ${join(dir, 'subscriber-acme.nk')} exists already`])
  })

  test('--rotate keeps the old key admitted until --drop-old', async () => {
    const old = seedOf('gateway.nk')
    expect((await cli('--rotate', 'gateway')).code).toBe(0)
    const fresh = seedOf('gateway.nk')
    expect(fresh).not.toBe(old)
    expect(seedOf('gateway.nk.old')).toBe(old)
    await reload()
    for (const seed of [old, fresh]) await (await as(seed)).close() // both get in while processes switch over
    const r = await cli('--drop-old')
    expect(r.stdout).toContain('no longer admitted: gateway.nk.old')
    await reload()
    await expect(as(old)).rejects.toThrow(/Authorization Violation/)
    await (await as(fresh)).close()
  })

  test('bad arguments are usage errors', async () => {
    const r = await cli('--rotate', 'nobody')
    expect([r.code, r.stderr.trim()]).toEqual([2, 'kickmon: --rotate: there is no identity in "nobody" (one of poller, auth, gateway, notifier, operator, subscriber, or <identity>-<name>)'])
    const bad = await cli('--add-subscriber', 'Has Spaces')
    expect(bad.code).toBe(2)
  })
})
