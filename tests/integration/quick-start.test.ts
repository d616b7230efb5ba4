import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { connectAs, natsEnv } from '../harness/nats-auth.ts'
import postgres from 'postgres'
import { checkoutId, ROOT_PG_BASE } from '../../scripts/infra/demo-state.ts'
import { freePort } from '../../scripts/infra/ports.ts'
import { privateCheckoutCopy, type CheckoutCopy } from '../harness/checkout-copy.ts'
import { testNats, testPostgres, type LocalNats } from '../harness/infra.ts'
import { eventually } from '../harness/services.ts'

// `bun run start` as the README's Quick start runs it, from a copy of this checkout in a fresh
// 0700 directory (as a clone in root's home on Debian), on free ports, so it never touches a
// running dev stack or this checkout's .data/: it prints the dashboard and the login, the demo
// is watched, and Ctrl-C stops everything it started.

let copy: CheckoutCopy
let nats: LocalNats
let dbName: string
let adminUrl: string
beforeAll(async () => {
  copy = await privateCheckoutCopy()
  nats = await testNats()
  const pg = await testPostgres()
  adminUrl = pg.adminUrl
  dbName = `qs_${Date.now().toString(36)}`
}, 60_000)

afterAll(async () => {
  copy?.remove()
  await nats?.destroy()
  const a = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await a.unsafe(`drop database if exists ${dbName} with (force)`)
  await a.end()
}, 30_000)

const OURS = ['DATABASE_URL', 'NATS_URL', 'ADMIN_USERNAME', 'ADMIN_PASSWORD', 'SESSION_SECRET', 'CONFIG_ENCRYPTION_KEY', 'KICK_CLIENT_ID', 'KICK_API_URL']
function spawnStart(env: Record<string, string>) {
  const out: string[] = []
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OURS.includes(k)))
  const proc = Bun.spawn(['bun', 'scripts/start.ts'], {
    cwd: copy.root, env: { ...inherited, LOG_LEVEL: 'warn', ...env }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe',
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

test('from a clone in a 0700 directory with nothing set: private PostgreSQL and NATS, a generated login that works; SIGINT stops it all', async () => {
  const [gateway, poller, auth, sim, notifier, notifySim] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()]
  const asRoot = process.getuid?.() === 0
  // As root the postgres user cannot enter the 0700 directory: the cluster lives outside it.
  const pgDir = asRoot ? join(ROOT_PG_BASE, checkoutId(copy.root)) : join(copy.root, '.data', 'postgres')
  const { proc, out } = spawnStart({
    GATEWAY_PORT: String(gateway), POLLER_PORT: String(poller), AUTH_PORT: String(auth), KICK_SIM_PORT: String(sim),
    NOTIFIER_PORT: String(notifier), NOTIFY_SIM_PORT: String(notifySim),
    KICK_SIM_CHANNELS: '3', POLL_INTERVAL_S: '2',
  })
  try {
    await eventually(() => out.some((l) => l.includes('Ctrl-C stops everything')) || proc.exitCode !== null, 120_000, 'the start banner')
    expect(proc.exitCode, out.join('\n')).toBeNull()
    expect(out).toContainEqual(expect.stringContaining(`PostgreSQL (private, ${asRoot ? pgDir : '.data/postgres'})`))
    expect(existsSync(join(pgDir, 'PG_VERSION'))).toBe(true)
    const generated = readFileSync(join(copy.root, '.data', 'admin-password'), 'utf8').trim()
    expect(out).toContainEqual(expect.stringContaining(`log in as:  admin / ${generated}`))
    const login = await fetch(`http://127.0.0.1:${gateway}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: generated }),
    })
    expect(login.status).toBe(200)
    // The demo's dashboard is for this machine only.
    const listening = await Bun.$`ss -Hltn sport = :${gateway}`.quiet().text()
    expect(listening).toContain(`127.0.0.1:${gateway}`)
  } finally {
    proc.kill('SIGINT')
    const exited = await proc.exited
    if (asRoot) {
      rmSync(pgDir, { recursive: true, force: true })
      rmSync(`${pgDir}.checkout`, { force: true })
    }
    expect(exited).toBe(0)
  }
}, 180_000)

test('bun run start: the demo comes up on the given PostgreSQL and NATS, prints URL and login; SIGINT stops it all', async () => {
  const [gateway, poller, auth, sim, notifier, notifySim] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()]
  const pg = await testPostgres()
  const { proc, out } = spawnStart({
    DATABASE_URL: pg.url(dbName), NATS_URL: nats.url, ...natsEnv('operator'), // an outside NATS: the operator's key
    GATEWAY_PORT: String(gateway), POLLER_PORT: String(poller), AUTH_PORT: String(auth), KICK_SIM_PORT: String(sim),
    NOTIFIER_PORT: String(notifier), NOTIFY_SIM_PORT: String(notifySim),
    KICK_SIM_CHANNELS: '5', POLL_INTERVAL_S: '2',
    ADMIN_PASSWORD: 'quick-start-pass-1', SESSION_SECRET: 'q'.repeat(40), CONFIG_ENCRYPTION_KEY: 'ab'.repeat(32),
  })
  try {
    await eventually(() => out.some((l) => l.includes('Ctrl-C stops everything')), 90_000, 'the start banner')
    expect(out).toContainEqual(expect.stringContaining('using DATABASE_URL'))
    expect(out).toContainEqual(expect.stringContaining('database roles: kickmon_auth, kickmon_poller, kickmon_notifier'))
    expect(out).toContainEqual(expect.stringContaining('using NATS_URL'))
    expect(out).toContainEqual(expect.stringContaining(`dashboard:  http://localhost:${gateway}/`))
    // Never the user's own password, even with one generated earlier in .data/ (the test above).
    expect(out).toContainEqual(expect.stringContaining('log in as:  admin / (your ADMIN_PASSWORD)'))
    expect(out.join('\n')).not.toContain('quick-start-pass-1')
    expect(out).toContainEqual(expect.stringContaining('demo: monitoring 5 kick-sim channels'))
    expect(out).toContainEqual(expect.stringContaining('demo: a Discord-style alert channel (on the provider simulator) for every streamer'))
    expect(out).toContainEqual(expect.stringContaining(`alerts:     http://localhost:${notifySim}/`))

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

    // Auth, the poller and the notifier log in as their own roles; the gateway does not touch PostgreSQL.
    const a = postgres(adminUrl, { max: 1, onnotice: () => {} })
    try {
      const who = await a<{ usename: string; application_name: string }[]>`
        select distinct usename, application_name from pg_stat_activity where datname = ${dbName} and application_name in ('auth', 'poller', 'gateway', 'notifier') order by 2`
      expect([...who]).toEqual([{ usename: 'kickmon_auth', application_name: 'auth' }, { usename: 'kickmon_notifier', application_name: 'notifier' }, { usename: 'kickmon_poller', application_name: 'poller' }])
    } finally {
      await a.end()
    }

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
