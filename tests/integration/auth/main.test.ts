// main.ts as operators run it: a subprocess with env, health on AUTH_PORT, $SRV on NATS, clean SIGTERM.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs, natsEnv } from '../../harness/nats-auth.ts'
import { join } from 'node:path'
import { freePort } from '../../../scripts/infra/ports.ts'
import { createTestDb, testNats, type LocalNats, type TestDb } from '../../harness/infra.ts'

let db: TestDb
let nats: LocalNats
let nc: NatsConnection
beforeAll(async () => {
  ;[db, nats] = await Promise.all([createTestDb(), testNats()])
  nc = await connectAs(nats.url, 'operator')
})
afterAll(async () => {
  await nc.drain()
  await db.drop()
  await nats.destroy()
})

const MAIN = join(import.meta.dir, '../../../services/auth/src/main.ts')

/** Spawn main.ts on a fresh port; another program may grab the port first on a shared box, so retry. */
async function startMain(env: Record<string, string>) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const proc = Bun.spawn(['bun', MAIN], { env: { ...process.env, ...env, AUTH_PORT: String(port) }, stdout: 'pipe', stderr: 'pipe' })
    for (let i = 0; i < 100 && proc.exitCode === null; i++) {
      const body = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.json() as Promise<{ service?: string; ready?: boolean }>, () => null)
      // Ours only once its own endpoints answer: the PING check guards against another process on the port.
      if (body?.service === 'auth' && body.ready && proc.exitCode === null) {
        const login = await nc.request('auth.session.login', '{}', { timeout: 1000 }).then(() => true, () => false)
        if (login) return { proc, port }
      }
      await Bun.sleep(100)
    }
    proc.kill('SIGKILL')
    await proc.exited
    if (attempt === 3) throw new Error(`main.ts did not become ready: ${await new Response(proc.stderr).text()}`)
  }
}

test('main.ts starts, creates the first admin, answers /readyz and $SRV.PING, and stops on SIGTERM', async () => {
  const { proc, port } = await startMain({
    DATABASE_URL: db.url, NATS_URL: nats.url, LOG_LEVEL: 'info',
    ADMIN_USERNAME: 'operator', ADMIN_PASSWORD: 'operator-pass-1', SESSION_IDLE_S: '600', SESSION_MAX_S: '3600', ...natsEnv('auth'),
    CONFIG_ENCRYPTION_KEY: 'ef'.repeat(32),
  })
  try {
    const ping = (await nc.request('$SRV.PING.auth', '', { timeout: 2000 })).json<{ name: string }>()
    expect(ping.name).toBe('auth')
    const login = (await nc.request('auth.session.login', JSON.stringify({ username: 'operator', password: 'operator-pass-1' }), { timeout: 5000 })).json<{ expires_at: string }>()
    const life = Date.parse(login.expires_at) - Date.now()
    expect(life).toBeGreaterThan(3500_000) // SESSION_MAX_S was read
    expect(life).toBeLessThanOrEqual(3600_000)
    expect(await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())).toContain('auth_logins_total{outcome="ok"')
  } finally {
    proc.kill('SIGTERM')
  }
  expect(await proc.exited).toBe(0)
  const out = await new Response(proc.stdout).text()
  expect(out).toContain('created the first admin from ADMIN_USERNAME / ADMIN_PASSWORD')
  expect(out).not.toContain('operator-pass-1')
})

test('a bad auth variable stops main.ts with one clear line', async () => {
  const proc = Bun.spawn(['bun', MAIN], {
    env: { ...process.env, SESSION_IDLE_S: 'soon', DATABASE_URL: db.url, NATS_URL: nats.url },
    stdout: 'pipe', stderr: 'pipe',
  })
  expect(await proc.exited).toBe(1)
  expect(await new Response(proc.stderr).text()).toMatch(/^config error: SESSION_IDLE_S: /m)
})

test('without CONFIG_ENCRYPTION_KEY (missing or blank) auth stops with one line naming it, never a made-up key', async () => {
  for (const key of [undefined, '', '   ']) {
    const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: db.url, NATS_URL: nats.url, AUTH_PORT: String(await freePort()), CONFIG_ENCRYPTION_KEY: key }
    if (key === undefined) delete env.CONFIG_ENCRYPTION_KEY
    const proc = Bun.spawn(['bun', MAIN], { env: env as Record<string, string>, stdout: 'pipe', stderr: 'pipe' })
    expect(await proc.exited).toBe(1)
    const lines = (await new Response(proc.stderr).text()).trim().split('\n')
    expect(lines, JSON.stringify(key)).toEqual(['config error: CONFIG_ENCRYPTION_KEY: required (auth seals configuration secrets with it): generate one with openssl rand -hex 32'])
  }
}, 30_000)
