import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { testStack } from '../../harness/stack.ts'
import { json, kickmon, stackEnv, type Run } from './run.ts'

// `kickmon status` against the whole stack as processes: healthy, then with a service down.

describe('kickmon status', () => {
  let stack: Awaited<ReturnType<typeof testStack>>
  let env: Record<string, string | undefined>
  const fail = (r: Run) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`

  beforeAll(async () => {
    stack = await testStack()
    env = stackEnv(stack.env)
    expect((await kickmon(['streamers', 'add', ((await (await fetch(`${stack.simUrl}/_sim/channels`)).json()) as { slug: string }[])[0]!.slug], { env, timeoutMs: 30_000 })).code).toBe(0)
  })
  afterAll(async () => {
    await stack?.destroy()
  })

  test('all up: one line per part, exit 0', async () => {
    const r = await kickmon(['status'], { env })
    expect(r.code, fail(r)).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^NATS +ok +nats:\/\/127\.0\.0\.1:\d+ \(nats-server [\d.]+, JetStream\), round trip [\d.]+ ms$/)
    for (const [i, name] of ['poller', 'auth', 'gateway'].entries()) expect(lines[1 + i]).toMatch(new RegExp(`^${name} +ok +1 instance \\(\\d+\\.\\d+\\.\\d+\\), [\\d,]+ requests?; ready`))
    expect(lines[4]).toMatch(/^PostgreSQL +ok +reachable from poller and auth, schema current$/)
    expect(lines[5]).toMatch(/^Kick +ok +[\d,]+ Kick requests/)
    expect(lines[6]).toMatch(/^streamers +1 monitored, \d live, \d stale$/)
  })

  test('--json: the same report for scripts', async () => {
    const j = json(await kickmon(['status', '--json'], { env }))
    expect(j.ok).toBe(true)
    expect(j.nats).toMatchObject({ state: 'ok', jetstream: true })
    expect(j.services.map((s: { name: string; state: string; instances: unknown[] }) => [s.name, s.state, s.instances.length])).toEqual([
      ['poller', 'ok', 1], ['auth', 'ok', 1], ['gateway', 'ok', 1],
    ])
    expect(j.services[0].readyz.body.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['postgres', 'nats']))
    expect(j.postgres).toEqual({ state: 'ok', seen_by: ['poller', 'auth'], error: null })
    expect(j.upstream.state).toBe('ok')
    expect(j.upstream.report.poll.interval_s).toBe(1)
    expect(j.streamers.monitored).toBe(1)
  })

  test('a service down: its line says so and the exit code is 4', async () => {
    await stack.procs.get('gateway')!.stop()
    const r = await kickmon(['status'], { env })
    expect(r.code).toBe(4)
    expect(r.stdout).toMatch(/^gateway +down +not running \(no \$SRV answer, no \/readyz\)$/m)
    expect(r.stdout).toMatch(/^poller +ok /m)
    expect(json(await kickmon(['status', '--json'], { env })).ok).toBe(false)
  })

  test('PostgreSQL down: the services report it, status says so and exits 4', async () => {
    const pg = (await import('../../harness/infra.ts')).testPostgres
    const cluster = await pg()
    await cluster.stop()
    try {
      const r = await kickmon(['status'], { env })
      expect(r.code).toBe(4)
      expect(r.stdout).toMatch(/^PostgreSQL +down +(poller|auth): /m)
      expect(r.stdout).toMatch(/^(poller|auth) +down +1 instance .*; not ready: postgres: /m)
    } finally {
      await cluster.start()
    }
  })
})
