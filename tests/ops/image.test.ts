import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, chownSync, cpSync, linkSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Subprocess } from 'bun'
import { freePort } from '../../scripts/infra/ports.ts'
import { createTestDb, testNats, type LocalNats, type TestDb } from '../harness/infra.ts'
import { eventually } from '../harness/services.ts'
import { testNatsAuth } from '../harness/nats-auth.ts'
import { parseEnvFile, readCompose, resolvedEnv, type Compose } from './compose.ts'
import { copiesFrom, readDockerfile, ROOT, type Dockerfile } from './dockerfile.ts'

// The images without Docker: deploy/build-binaries.sh builds the binaries exactly as the
// Dockerfile's build stage does, each target's filesystem is assembled from the Dockerfile's
// own COPY lines, and every service runs chrooted into it as uid 10001 with the environment
// compose.yaml gives it. compose's health checks must then pass inside those roots.
// Needs util-linux's unshare/chroot and root (or unprivileged user namespaces).

const UID = 10001
const asRoot = process.getuid?.() === 0
const TARGETS = ['kickmon', 'kick-sim', 'auth', 'poller', 'gateway'] as const
type Target = (typeof TARGETS)[number]

/** The shared libraries a binary needs (what the base image provides). */
async function libraries(bin: string): Promise<string[]> {
  const out = await new Response(Bun.spawn(['ldd', bin], { stdout: 'pipe' }).stdout).text()
  return [...out.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]!)
}

function place(src: string, dst: string) {
  mkdirSync(dirname(dst), { recursive: true })
  try {
    linkSync(realpathSync(src), dst) // the binaries are 100 MB each: link, do not copy
  } catch {
    cpSync(src, dst, { recursive: true, dereference: true })
  }
}

describe('the images, run without Docker', () => {
  let df: Dockerfile
  let compose: Compose
  let work: string
  let db: TestDb
  let nats: LocalNats
  const roots = {} as Record<Target, string>
  const ports = {} as Record<'sim' | 'auth' | 'poller' | 'gateway', number>
  const procs = new Map<Target, Subprocess>()
  const output = new Map<Target, string[]>()
  let env: Record<Target, Record<string, string>>

  /** Runs `argv` inside a target's root the way its container would. */
  function inRoot(t: Target, argv: string[], extraEnv: Record<string, string> = {}) {
    const r = roots[t]
    const chroot = asRoot ? `exec chroot --userspec=${UID}:${UID} ${r}` : `exec chroot ${r}`
    const script = `mount -t proc proc ${r}/proc && mount --rbind /dev ${r}/dev && ${chroot} "$@"`
    return Bun.spawn(['unshare', ...(asRoot ? [] : ['--map-root-user']), '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...argv], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/var/lib/kickmon', ...env[t], ...extraEnv },
      stdout: 'pipe', stderr: 'pipe', stdin: 'ignore',
    })
  }

  async function runInRoot(t: Target, argv: string[]) {
    const p = inRoot(t, argv)
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
    return { stdout, stderr, code }
  }

  beforeAll(async () => {
    df = await readDockerfile()
    compose = await readCompose()
    work = mkdtempSync(join(tmpdir(), 'kickmon-image-'))
    const out = join(work, 'out')
    const build = Bun.spawn(['bash', join(ROOT, 'deploy', 'build-binaries.sh'), out], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
    if ((await build.exited) !== 0) throw new Error(`build-binaries.sh failed: ${await new Response(build.stderr).text()}`)
    ;[db, nats] = await Promise.all([createTestDb({ migrate: false }), testNats()])
    // Compose's owner role (POSTGRES_USER): it owns the database, migrates, and makes the services' roles.
    await db.sql`do $$ begin if not exists (select from pg_roles where rolname = 'kickmon') then create role kickmon login createrole; end if; end $$`
    await db.sql.unsafe(`alter database "${new URL(db.url).pathname.slice(1)}" owner to kickmon`)

    // Each target's root: the base image's libraries and user, then the Dockerfile's COPY lines.
    // The build stage ran in /app there and in the repository here, so what the binaries
    // resolve from their build directory (node_modules) goes where the repository is.
    const buildDir = df.stages[0]!.instructions.find((i) => i.op === 'WORKDIR')!.args
    const libs = await libraries(join(out, 'auth'))
    for (const t of TARGETS) {
      const r = (roots[t] = join(work, `root-${t}`))
      for (const lib of libs) place(lib, join(r, lib))
      for (const d of ['proc', 'dev', 'tmp', 'etc', 'var/lib/kickmon']) mkdirSync(join(r, d), { recursive: true })
      chmodSync(join(r, 'tmp'), 0o1777)
      writeFileSync(join(r, 'etc/passwd'), `root:x:0:0::/root:/bin/sh\nkickmon:x:${UID}:${UID}::/var/lib/kickmon:/usr/sbin/nologin\n`)
      writeFileSync(join(r, 'etc/group'), `root:x:0:\nkickmon:x:${UID}:\n`)
      if (asRoot) chownSync(join(r, 'var/lib/kickmon'), UID, UID)
      for (const c of copiesFrom(df, t)) {
        const src = c.src.startsWith('/out/') ? join(out, c.src.slice(5)) : join(ROOT, c.src.slice(buildDir.length + 1))
        const dst = c.dst.startsWith(`${buildDir}/node_modules/`) ? join(ROOT, c.dst.slice(buildDir.length + 1)) : c.dst
        place(src, join(r, dst))
      }
    }

    // compose.yaml's environment (with the demo's values), pointed at this test's PostgreSQL,
    // NATS and free ports instead of the compose network's names.
    const demo = parseEnvFile(await Bun.file(join(ROOT, 'deploy', 'demo.env')).text())
    for (const k of ['sim', 'auth', 'poller', 'gateway'] as const) ports[k] = await freePort()
    const sim = `http://127.0.0.1:${ports.sim}`
    const over = {
      NATS_URL: nats.url, AUTH_PORT: String(ports.auth), POLLER_PORT: String(ports.poller), GATEWAY_PORT: String(ports.gateway),
      KICK_API_URL: sim, KICK_AUTH_URL: sim, KICK_WEB_URL: sim, KICK_SIM_PORT: String(ports.sim), KICK_SIM_HOST: '127.0.0.1',
      KICK_SIM_PUBLIC_URL: sim, KICK_SIM_WEBHOOK_URL: `http://127.0.0.1:${ports.gateway}/webhooks/kick`, POLL_INTERVAL_S: '1', KICK_SIM_ACTIVITY: 'off',
    }
    const of = (svc: string) => {
      const values = resolvedEnv(compose.services[svc]!, demo).values
      for (const k of Object.keys(values)) if (k in over) values[k] = over[k as keyof typeof over]
      // Compose's database URLs keep their roles and passwords (each service its own), aimed here.
      for (const [k, v] of Object.entries(values)) if (v.startsWith('postgres://') && new URL(v).hostname === 'postgres') values[k] = atTestDb(v)
      return { ...values, ...(svc === 'kick-sim' ? { KICK_SIM_ACTIVITY: 'off' } : {}), ...(svc === 'poller' ? { POLL_INTERVAL_S: '1' } : {}) }
    }
    // The NATS keys where compose mounts them: each service its own file; the CLI (the nats-keys
    // one-shot's image) the whole keys volume on its home, acting as the operator.
    const key = (t: Target, path: string, identity: 'auth' | 'poller' | 'gateway' | 'operator') => {
      const dst = join(roots[t], path)
      mkdirSync(dirname(dst), { recursive: true })
      cpSync(testNatsAuth().seeds[identity], dst)
      chmodSync(dst, 0o600)
      if (asRoot) chownSync(dst, UID, UID)
    }
    for (const t of ['auth', 'poller', 'gateway'] as const) key(t, resolvedEnv(compose.services[t]!, demo).values.NATS_NKEY_SEED_FILE!, t)
    key('kickmon', '/var/lib/kickmon/operator.nk', 'operator')
    env = { kickmon: { ...of('migrate'), NATS_URL: nats.url, NATS_NKEY_SEED_FILE: '/var/lib/kickmon/operator.nk' }, 'kick-sim': of('kick-sim'), auth: of('auth'), poller: of('poller'), gateway: of('gateway') }
  }, 240_000)

  function atTestDb(url: string): string {
    const u = new URL(url)
    const t = new URL(db.url)
    u.host = t.host
    u.pathname = t.pathname
    return u.toString()
  }

  afterAll(async () => {
    for (const p of procs.values()) p.kill('SIGKILL')
    await nats?.destroy()
    await db?.drop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  /** compose.yaml's health check for a service, aimed at the port it got here. */
  const healthcheck = (svc: Target) => {
    const port = { auth: ports.auth, poller: ports.poller, gateway: ports.gateway, 'kick-sim': ports.sim, kickmon: 0 }[svc]
    return compose.services[svc]!.healthcheck!.test.slice(1).map((a) => a.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`))
  }

  test("the migrate service's command applies the schema with the kickmon image", async () => {
    const r = await runInRoot('kickmon', ['/app/bin/kickmon', ...compose.services.migrate!.command!])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/migrations? applied\nroles up to date: kickmon_auth, kickmon_poller, kickmon_notifier\n$/)
  })

  test('each service starts from its image layout as uid 10001 and passes its compose health check', async () => {
    for (const t of ['kick-sim', 'auth', 'poller', 'gateway'] as const) {
      const p = inRoot(t, [`/app/bin/${t}`])
      procs.set(t, p)
      const lines: string[] = []
      output.set(t, lines)
      void new Response(p.stderr).text().then((s) => lines.push(s))
      void (async () => {
        const reader = p.stdout.getReader()
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          if (lines.length < 200) lines.push(new TextDecoder().decode(value))
        }
      })()
    }
    for (const t of ['kick-sim', 'auth', 'poller', 'gateway'] as const) {
      const deadline = Date.now() + 90_000
      for (;;) {
        const p = procs.get(t)!
        if (p.exitCode !== null) throw new Error(`${t} exited ${p.exitCode}: ${output.get(t)!.join('').slice(-1500)}`)
        if ((await runInRoot(t, healthcheck(t))).code === 0) break
        if (Date.now() > deadline) throw new Error(`${t}'s health check never passed: ${output.get(t)!.join('').slice(-1500)}`)
        await Bun.sleep(250)
      }
    }
  }, 240_000)

  test('the system works: log in, static assets, a streamer added with the kickmon image as the NATS operator', async () => {
    const gw = `http://127.0.0.1:${ports.gateway}`
    for (const a of ['/assets/app.css', '/assets/kickmon.js', '/login']) expect((await fetch(`${gw}${a}`)).status, a).toBe(200)
    const login = await fetch(`${gw}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: env.auth.ADMIN_USERNAME, password: env.auth.ADMIN_PASSWORD }) })
    expect(login.status).toBe(200)
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!
    const [channel] = (await (await fetch(`http://127.0.0.1:${ports.sim}/_sim/channels`)).json()) as { slug: string }[]
    const add = await runInRoot('kickmon', ['/app/bin/kickmon', 'streamers', 'add', channel!.slug])
    expect(add.code, add.stderr).toBe(0)
    const list = await eventually(async () => {
      const r = (await (await fetch(`${gw}/api/v1/streamers`, { headers: { cookie } })).json()) as { slug: string; stale: boolean }[]
      return r.some((s) => s.slug === channel!.slug && !s.stale) ? r : null
    }, 30_000, 'the streamer read by the poller and shown by the gateway')
    expect(list.map((s) => s.slug)).toContain(channel!.slug)
  }, 120_000)

  test('SIGTERM stops every service cleanly (exit 0) well within the stop grace period', async () => {
    for (const t of ['gateway', 'poller', 'auth', 'kick-sim'] as const) {
      const p = procs.get(t)!
      const t0 = performance.now()
      p.kill('SIGTERM')
      expect(await p.exited, t).toBe(0)
      expect((performance.now() - t0) / 1000, t).toBeLessThan(15)
    }
  }, 120_000)
})
