import { afterAll, beforeAll, expect, test } from 'bun:test'
import { connectAs, natsEnv } from '../harness/nats-auth.ts'
import postgres from 'postgres'
import { freePort } from '../../scripts/infra/ports.ts'
import { ROOT } from '../../scripts/infra/processes.ts'
import { testNats, testPostgres, type LocalNats } from '../harness/infra.ts'
import { eventually } from '../harness/services.ts'

// `bun run start` as the README's Quick start runs it, pointed at this run's private
// PostgreSQL and nats-server (DATABASE_URL / NATS_URL) and free ports, so it never touches
// a running dev stack: it prints the dashboard and the login, the demo is watched, and
// Ctrl-C stops everything it started.

let nats: LocalNats
let dbName: string
let adminUrl: string
beforeAll(async () => {
  nats = await testNats()
  const pg = await testPostgres()
  adminUrl = pg.adminUrl
  dbName = `qs_${Date.now().toString(36)}`
}, 60_000)

afterAll(async () => {
  await nats?.destroy()
  const a = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await a.unsafe(`drop database if exists ${dbName} with (force)`)
  await a.end()
}, 30_000)

function spawnStart(env: Record<string, string>) {
  const out: string[] = []
  const proc = Bun.spawn(['bun', 'scripts/start.ts'], {
    cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe',
  })
  const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '')
  for (const stream of [proc.stdout, proc.stderr]) {
    void (async () => {
      const dec = new TextDecoder()
      const reader = stream.getReader()
      let partial = ''
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        const lines = (partial + dec.decode(r.value, { stream: true })).split('\n')
        partial = lines.pop()!
        out.push(...lines.map(strip))
      }
      if (partial) out.push(strip(partial))
    })()
  }
  return { proc, out }
}

test('bun run start: the demo comes up on the given PostgreSQL and NATS, prints URL and login; SIGINT stops it all', async () => {
  const [gateway, poller, auth, sim] = [await freePort(), await freePort(), await freePort(), await freePort()]
  const pg = await testPostgres()
  const { proc, out } = spawnStart({
    DATABASE_URL: pg.url(dbName), NATS_URL: nats.url, ...natsEnv('operator'), // an outside NATS: the operator's key
    GATEWAY_PORT: String(gateway), POLLER_PORT: String(poller), AUTH_PORT: String(auth), KICK_SIM_PORT: String(sim),
    KICK_SIM_CHANNELS: '5', POLL_INTERVAL_S: '2',
    ADMIN_PASSWORD: 'quick-start-pass-1', SESSION_SECRET: 'q'.repeat(40), CONFIG_ENCRYPTION_KEY: 'ab'.repeat(32),
  })
  try {
    await eventually(() => out.some((l) => l.includes('Ctrl-C stops everything')), 90_000, 'the start banner')
    expect(out).toContainEqual(expect.stringContaining('using DATABASE_URL'))
    expect(out).toContainEqual(expect.stringContaining('using NATS_URL'))
    expect(out).toContainEqual(expect.stringContaining(`dashboard:  http://localhost:${gateway}/`))
    expect(out).toContainEqual(expect.stringContaining('log in as:  admin / (your ADMIN_PASSWORD)'))
    expect(out).toContainEqual(expect.stringContaining('demo: monitoring 5 kick-sim channels'))

    // The printed login works and the dashboard lists the demo channels.
    const login = await fetch(`http://127.0.0.1:${gateway}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://127.0.0.1:${gateway}` },
      body: new URLSearchParams({ username: 'admin', password: 'quick-start-pass-1' }),
    })
    expect(login.status).toBe(303)
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0]!
    const page = await (await fetch(`http://127.0.0.1:${gateway}/`, { headers: { cookie } })).text()
    expect(page.match(/id="row-[^"]+"/g)?.length).toBe(5)

    // The poller reads every demo channel from kick-sim.
    const nc = await connectAs(nats.url, 'operator')
    try {
      await eventually(async () => {
        const list = (await nc.request('poller.streamers.list', '{}', { timeout: 5000 })).json<{ stale: boolean; checked_at: string | null }[]>()
        return list.length === 5 && list.every((s) => !s.stale && s.checked_at)
      }, 30_000, 'all five read')
    } finally {
      await nc.close()
    }
  } finally {
    proc.kill('SIGINT')
  }
  expect(await proc.exited).toBe(0)
  expect(out).toContainEqual(expect.stringContaining('stopped'))
  // Nothing it started is left listening.
  for (const port of [gateway, poller, auth, sim]) {
    expect(await fetch(`http://127.0.0.1:${port}/`).then(() => 'open', () => 'closed')).toBe('closed')
  }
}, 150_000)

test('a bad setting stops it at once with one line naming the variable', async () => {
  const { proc, out } = spawnStart({ POLL_INTERVAL_S: '0' })
  expect(await proc.exited).toBe(1)
  await Bun.sleep(50)
  expect(out).toContainEqual(expect.stringMatching(/^config error: POLL_INTERVAL_S: /))
}, 30_000)
