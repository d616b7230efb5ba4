import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Subprocess } from 'bun'
import { connectAs, natsEnv } from '../../harness/nats-auth.ts'
import { unknownStatus, type StreamerStatus } from '../../../shared/src/contracts/status.ts'
import { subjects } from '../../../shared/src/contracts/names.ts'
import { testNats } from '../../harness/infra.ts'
import { testStack } from '../../harness/stack.ts'
import { eventually } from '../../harness/services.ts'
import { cliCommand, cliCommandLine, kickmon, stackEnv } from './run.ts'
import { Terminal } from './tmux.ts'

// `kickmon watch`: a change made in kick-sim travels poller → NATS → the CLI, on a real
// terminal (tmux) and through a pipe.

describe('kickmon watch', () => {
  let stack: Awaited<ReturnType<typeof testStack>>
  let env: Record<string, string | undefined>
  let slugs: string[]
  let cli: string[]
  const sim = (slug: string, patch: Record<string, unknown>) =>
    fetch(`${stack.simUrl}/_sim/channels/${slug}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) }).then((r) => {
      if (!r.ok) throw new Error(`sim PATCH ${r.status}`)
    })

  beforeAll(async () => {
    cli = await cliCommand()
    stack = await testStack({ services: ['auth', 'poller'] })
    env = stackEnv(stack.env)
    const channels = (await (await fetch(`${stack.simUrl}/_sim/channels`)).json()) as { slug: string }[]
    slugs = channels.map((c) => c.slug).slice(0, 2)
    for (const s of slugs) await sim(s, { live: false })
    await sim(slugs[0]!, { live: true, viewers: 500, title: 'already on' })
    for (const s of slugs) expect((await kickmon(['streamers', 'add', s], { env, timeoutMs: 30_000 })).code).toBe(0)
    await eventually(async () => (await kickmon(['streamers', 'list', '--live', '--json'], { env })).stdout.includes(slugs[0]!), 20_000, 'the first streamer live')
  })
  afterAll(async () => {
    await stack?.destroy()
  })

  /** Lines a piped `watch` printed so far. */
  function spawnPiped(args: string[]) {
    const proc: Subprocess<'ignore', 'pipe', 'pipe'> = Bun.spawn([...cli, 'watch', ...args], { env: env as Record<string, string>, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
    const lines: string[] = []
    void (async () => {
      const dec = new TextDecoder()
      let buf = ''
      const reader = proc.stdout.getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buf += dec.decode(value, { stream: true })
        const parts = buf.split('\n')
        buf = parts.pop()!
        lines.push(...parts)
      }
    })()
    return { proc, lines }
  }

  test('through a pipe: the current state, then one line per change; SIGTERM ends it with 0', async () => {
    const { proc, lines } = spawnPiped([])
    try {
      await eventually(() => lines.length >= 2, 15_000, 'the snapshot lines')
      expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${slugs[0]} LIVE, 500 viewers, "already on", \\S`))
      expect(lines[1]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${slugs[1]} offline$`))
      await sim(slugs[1]!, { live: true, viewers: 7777, title: 'piped change' })
      const line = await eventually(() => lines.find((l) => l.includes(`${slugs[1]} went live`)), 15_000, 'the went-live line')
      expect(line).toMatch(/went live: 7,777 viewers, "piped change", /)
      await sim(slugs[1]!, { viewers: 8000 })
      await eventually(() => lines.some((l) => l.endsWith(`${slugs[1]} viewers 7,777 → 8,000`)), 15_000, 'the viewers line')
    } finally {
      proc.kill('SIGTERM')
    }
    expect(await proc.exited).toBe(0)
    expect(await new Response(proc.stderr).text()).toMatch(/watching 2 streamers; one line per change/)
  })

  test('--json: one StreamerStatus change object per line', async () => {
    const { proc, lines } = spawnPiped(['--json'])
    try {
      await eventually(() => lines.length >= 2, 15_000, 'the snapshot')
      const first = lines.map((l) => JSON.parse(l))
      expect(first.map((o) => o.kind)).toEqual(['snapshot', 'snapshot'])
      await sim(slugs[1]!, { title: 'json title' })
      const change = await eventually(() => lines.map((l) => JSON.parse(l)).find((o) => o.kind === 'change' && o.slug === slugs[1]), 15_000, 'a change object')
      expect(change).toMatchObject({ kind: 'change', slug: slugs[1], changes: expect.arrayContaining(['title']), status: { title: 'json title', live: true } })
    } finally {
      proc.kill('SIGTERM')
    }
    expect(await proc.exited).toBe(0)
  })

  test('before the poller ever ran (no status bucket yet) it waits, and shows the first status published', async () => {
    const fresh = await testNats()
    const proc = Bun.spawn([...(await cliCommand()), 'watch', '--plain'], { env: { NATS_URL: fresh.url, ...natsEnv('operator') }, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
    const nc = await connectAs(fresh.url, 'operator')
    try {
      const err = proc.stderr.getReader()
      const first = new TextDecoder().decode((await err.read()).value)
      expect(first).toMatch(/watching 0 streamers; one line per change/)
      const s: StreamerStatus = { ...unknownStatus('first-one'), stale: false, live: true, viewers: 12, title: 'hello', checked_at: new Date().toISOString() }
      nc.publish(subjects.status(s.slug), JSON.stringify(s))
      const out = new TextDecoder().decode((await proc.stdout.getReader().read()).value)
      expect(out).toMatch(/^\d\d:\d\d:\d\d first-one LIVE, 12 viewers, "hello", -\n$/)
    } finally {
      proc.kill('SIGTERM')
      await nc.close()
    }
    expect(await proc.exited).toBe(0)
    await fresh.destroy()
  })

  test('on a terminal: a live table, changes highlighted as they arrive, NATS outages survived, q restores the screen', async () => {
    const term = new Terminal()
    try {
      // The shell stays after watch exits: a dead pane would scroll its last screen away.
      await term.start(`echo BEFORE-WATCH; ${await cliCommandLine()} watch; echo "EXIT=$?"; sleep 600`, { width: 120, height: 14, env: { ...env, PATH: process.env.PATH, TERM: 'xterm-256color' } })
      let screen = await term.waitFor((s) => s.includes('● connected') && s.includes(slugs[1]!), 'the table')
      const rows = screen.split('\n')
      expect(rows[0]).toMatch(/^ kickmon watch +2 streamers · 2 live +● connected +\d\d:\d\d:\d\d/)
      expect(rows[2]).toMatch(/^STATE +STREAMER +VIEWERS +UPTIME +CATEGORY +TITLE/)
      expect(screen).not.toContain('BEFORE-WATCH') // the alternate screen

      // A change arrives: the row moves to the top (most viewers) and is highlighted.
      await sim(slugs[0]!, { viewers: 123456, title: 'big moment' })
      screen = await term.waitFor((s) => s.includes('123,456'), 'the new viewer count')
      expect(screen.split('\n')[3]).toMatch(new RegExp(`^● LIVE +${slugs[0]} +123,456 ▲ +\\d+[sm].* big moment`))
      const painted = (await term.screen({ escapes: true })).split('\n').find((l) => l.includes('123,456'))!
      expect(painted).toMatch(/\x1b\[[0-9;]*43m[^\n]*123,456/) // the changed cells on a yellow background

      // NATS goes away and comes back; what changed meanwhile shows up once it is back.
      await stack.nats.stop()
      await term.waitFor((s) => s.includes('NATS lost, reconnecting'), 'the outage in the header')
      await sim(slugs[1]!, { live: false })
      await stack.nats.start()
      screen = await term.waitFor((s) => s.includes('● connected') && /1 live/.test(s), 'reconnected and the other streamer offline', 40_000)
      expect(screen).toMatch(new RegExp(`○ off +${slugs[1]}`))

      await term.keys('q')
      screen = await term.waitFor((s) => s.includes('EXIT='), 'watch to exit')
      expect(screen).toContain('BEFORE-WATCH')
      expect(screen).toContain('EXIT=0')
      expect(screen).not.toContain('kickmon watch') // the table went away with the alternate screen
    } finally {
      await term.close()
    }
  })
})
