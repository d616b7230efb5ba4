import { beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { freePort } from '../../../scripts/infra/ports.ts'
import { GROUPS } from '../../../cli/src/groups.ts'
import { json, kickmon, runAll } from './run.ts'

// The command line itself: help, usage errors, and failing fast and clearly when what it
// needs is not there. No services run in this file.

const every = GROUPS.flatMap((g) => (g.single ? [[g.name]] : g.commands.map((c) => [g.name, c.name])))

describe('kickmon: help and usage errors', () => {
  test('every command has --help with usage, options and runnable-looking examples', async () => {
    const runs = await runAll(every, (words) => kickmon([...words, '--help']))
    runs.forEach((r, i) => {
      const where = every[i]!.join(' ')
      expect(r.code, where).toBe(0)
      expect(r.stdout, where).toContain(`Usage: kickmon ${where}`)
      expect(r.stdout, where).toContain('--json')
      const examples = r.stdout.split('Examples:\n')[1] ?? ''
      expect(examples.split('\n').filter((l) => /(^|sudo |\| )kickmon /.test(l.trim())).length, where).toBeGreaterThan(0)
    })
  })

  test('with no command it prints the overview with every command and the exit codes, and exits 2', async () => {
    const r = await kickmon([])
    expect(r.code).toBe(2)
    for (const words of every) expect(r.stderr).toContain(words.join(' '))
    expect(r.stderr).toMatch(/Exit codes:[\s\S]*3 +not found[\s\S]*4 +unavailable/)
    const help = await kickmon(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toBe(r.stderr)
    expect((await kickmon(['help', 'streamers', 'add'])).stdout).toContain('Usage: kickmon streamers add <slug>')
  })

  test('mistakes on the command line exit 2 with one line saying what to type instead', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['streamers', 'explode'], /unknown command "streamers explode" \(try: list, add/],
      [['streamers'], /kickmon streamers: the monitored streamers/],
      [['streamers', 'list', '--colour'], /unknown option --colour for "streamers list"/],
      [['streamers', 'add'], /missing <slug>: kickmon streamers add <slug>/],
      [['streamers', 'add', 'a', 'b'], /unexpected argument "b"/],
      [['streamers', 'add', 'Not A Slug!'], /<slug> "Not A Slug!": a Kick slug is 1–25 characters/],
      [['streamers', 'history', 'xqc', '--limit', 'lots'], /--limit: must be a whole number from 1 to 500/],
      [['streamers', 'history', 'xqc', '--limit'], /--limit needs a value/],
      [['streamers', 'history', 'xqc', '--since', 'yesterday'], /--since: must be a duration/],
      [['users', 'create', 'bob', '--role', 'boss'], /--role: /],
      [['users', 'set-role', 'bob', 'root'], /<role> "root"/],
      [['users', 'create', 'bob', '--password', 'hunter22'], /--password is not accepted: a secret on the command line ends up in shell history/],
      [['config', 'set', 'kick.secret', 'hunter22', '--secret'], /a secret is never taken from the command line/],
      [['config', 'set', 'some.key'], /missing \[value\]/],
      [['service', 'start', 'database'], /a service is one of poller, auth, gateway/],
      [['--bogus', 'status'], /unknown option --bogus before the command/],
    ]
    const runs = await runAll(cases, ([args]) => kickmon(args, { env: { NATS_URL: 'nats://127.0.0.1:9' } }))
    runs.forEach((r, i) => {
      const [args, re] = cases[i]!
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toMatch(re)
      expect(r.stdout, args.join(' ')).toBe('')
    })
    // One line each, except where the group's help is the answer.
    for (const r of runs) if (!r.stderr.includes('Usage:')) expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  test('a malformed NATS_URL is a usage error naming the variable', async () => {
    const r = await kickmon(['streamers', 'list'], { env: { NATS_URL: 'http://example.com' } })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('kickmon: environment: NATS_URL: must look like nats://host:port\n')
  })
})

describe('kickmon: dependencies that are not there', () => {
  let deadNats: string
  beforeAll(async () => {
    deadNats = `nats://127.0.0.1:${await freePort()}`
  })

  test('NATS down: every NATS command exits 4 at once with one line (and a JSON error with --json)', async () => {
    const commands = [['streamers', 'list'], ['streamers', 'add', 'xqc'], ['users', 'list'], ['config', 'list'], ['watch', '--plain']]
    const runs = await runAll(commands, (c) => kickmon(c, { env: { NATS_URL: deadNats }, timeoutMs: 30_000 }))
    runs.forEach((r, i) => {
      expect(r.code, commands[i]!.join(' ')).toBe(4)
      expect(r.stderr).toBe(`kickmon: cannot reach NATS at ${deadNats} (connection refused); is nats-server running? (NATS_URL sets where to look)\n`)
      expect(r.stdout).toBe('')
    })
    // "At once": nowhere near a reconnect loop (the bound is generous for a loaded machine).
    for (const r of runs) expect(r.ms).toBeLessThan(15_000)
    const j = await kickmon(['streamers', 'list', '--json'], { env: { NATS_URL: deadNats } })
    expect(j.code).toBe(4)
    expect(json(j)).toEqual({ error: { code: 'UNAVAILABLE', message: expect.stringContaining('cannot reach NATS'), exit_code: 4 } })
  })

  test('status with NATS down still reports what it can, and exits 4', async () => {
    const r = await kickmon(['status'], { env: { NATS_URL: deadNats, POLLER_PORT: '9', AUTH_PORT: '9', GATEWAY_PORT: '9' } })
    expect(r.code).toBe(4)
    expect(r.stdout).toMatch(/^NATS +down +cannot reach NATS/m)
    expect(r.stdout).toMatch(/^poller +unknown +no \/readyz on http:\/\/127\.0\.0\.1:9/m)
    const j = json(await kickmon(['status', '--json'], { env: { NATS_URL: deadNats } }))
    expect(j.ok).toBe(false)
    expect(j.nats.state).toBe('down')
  })

  test('db with PostgreSQL unreachable exits 4 without printing the password from DATABASE_URL', async () => {
    const url = `postgres://kickmon:s3cret-pw@127.0.0.1:${await freePort()}/kickmon`
    const r = await kickmon(['db', 'status'], { env: { DATABASE_URL: url } })
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/^kickmon: cannot reach PostgreSQL at 127\.0\.0\.1:\d+ \(connection refused\)/)
    expect(r.stderr + r.stdout).not.toContain('s3cret-pw')
  })

  test('service: without systemd it says so and exits 4', async () => {
    // A PATH without systemctl is what a container or a non-systemd host looks like.
    const r = await kickmon(['service', 'status'], { env: { PATH: dirname(process.execPath) } })
    expect(r.code).toBe(4)
    expect(r.stderr).toBe('kickmon: systemd is not running on this machine, so there are no kickmon units to drive; use "bun run start" or "docker compose up" instead (docs/operations.md)\n')
  })
})

describe('kickmon service: drives systemctl', () => {
  // A stand-in for the operating system's systemctl (not for anything of ours): it records
  // its arguments and answers like systemd 252 does.
  let dir: string
  let fake: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kickmon-systemctl-'))
    fake = join(dir, 'systemctl')
    writeFileSync(
      fake,
      `#!/bin/sh
echo "$@" >> "${dir}/calls"
[ -f "${dir}/deny" ] && { echo "Failed to start kickmon.target: Access denied" >&2; exit 1; }
case " $* " in
  *" show "*)
    for u in "$@"; do case "$u" in kickmon-*)
      n=$(echo "$u" | sed 's/kickmon-\\(.*\\)\\.service/\\1/')
      if [ "$n" = gateway ] && [ -f "${dir}/gateway-failed" ]; then st=failed; sub=failed; pid=0; else st=active; sub=running; pid=4242; fi
      printf 'Id=%s\\nLoadState=loaded\\nActiveState=%s\\nSubState=%s\\nMainPID=%s\\nActiveEnterTimestamp=Wed 2026-07-01 12:00:00 UTC\\nNRestarts=1\\nResult=success\\n\\n' "$u" "$st" "$sub" "$pid";;
    esac; done;;
esac
exit 0
`,
    )
    chmodSync(fake, 0o755)
  })
  const env = () => ({ KICKMON_SYSTEMCTL: fake })
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n')

  test('start with no names starts kickmon.target, then shows every unit', async () => {
    const r = await kickmon(['service', 'start'], { env: env() })
    expect(r.code).toBe(0)
    expect(calls()).toEqual([
      '--no-ask-password start kickmon.target',
      '--no-ask-password show --property=Id,LoadState,ActiveState,SubState,MainPID,ActiveEnterTimestamp,NRestarts,Result kickmon-poller.service kickmon-auth.service kickmon-gateway.service',
    ])
    expect(r.stdout).toMatch(/^kickmon-poller\.service +active \(running\) +4242 +2026-07-01/m)
  })

  test('status: a failed unit exits 4; --json gives each unit', async () => {
    writeFileSync(join(dir, 'gateway-failed'), '')
    const r = await kickmon(['service', 'status'], { env: env() })
    expect(r.code).toBe(4)
    expect(r.stdout).toMatch(/^kickmon-gateway\.service +failed \(failed\)/m)
    const j = await kickmon(['service', 'status', 'poller', '--json'], { env: env() })
    expect(j.code).toBe(0)
    expect(json(j)).toEqual([{ unit: 'kickmon-poller.service', load: 'loaded', active: 'active', sub: 'running', pid: 4242, since: '2026-07-01T12:00:00.000Z', restarts: 1, result: 'success' }])
  })

  test('permission denied (not root) exits 7 and says how', async () => {
    writeFileSync(join(dir, 'deny'), '')
    const r = await kickmon(['service', 'stop', 'gateway'], { env: env() })
    expect(r.code).toBe(7)
    expect(r.stderr).toBe('kickmon: Failed to start kickmon.target: Access denied (run as root or with sudo)\n')
  })
})
