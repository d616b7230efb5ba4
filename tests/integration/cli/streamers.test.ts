import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StatusEvent, StreamerStatus } from '../../../shared/src/contracts/status.ts'
import { StreamSession, ViewerHistory } from '../../../shared/src/contracts/poller.ts'
import { testStack } from '../../harness/stack.ts'
import { eventually } from '../../harness/services.ts'
import { json, kickmon, stackEnv, type Run } from './run.ts'

// `kickmon streamers …` through the real entry point against auth, the poller and kick-sim
// running as processes on a private PostgreSQL and nats-server.

describe('kickmon streamers against a running stack', () => {
  let stack: Awaited<ReturnType<typeof testStack>>
  let env: Record<string, string | undefined>
  let slugs: string[]
  const k = (...args: string[]) => kickmon(args, { env })
  const sim = (slug: string, patch: Record<string, unknown>) =>
    fetch(`${stack.simUrl}/_sim/channels/${slug}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) }).then((r) => {
      if (!r.ok) throw new Error(`sim PATCH ${r.status}`)
    })
  const fail = (r: Run) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`

  beforeAll(async () => {
    stack = await testStack({ services: ['auth', 'poller'] })
    env = stackEnv(stack.env)
    const channels = (await (await fetch(`${stack.simUrl}/_sim/channels`)).json()) as { slug: string }[]
    slugs = channels.map((c) => c.slug)
    for (const s of slugs) await sim(s, { live: false })
  })
  afterAll(async () => {
    await stack?.destroy()
  })

  test('list with nothing monitored says how to add one', async () => {
    const r = await k('streamers', 'list')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('no streamers match (add one with "kickmon streamers add <slug>")\n0 streamers, 0 live\n')
    expect(json(await k('streamers', 'list', '--json'))).toEqual([])
  })

  test('add checks the channel with Kick: known → 0, again → 0 "already", unknown → 3', async () => {
    const r = await k('streamers', 'add', slugs[0]!)
    expect(r.code, fail(r)).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^added ${slugs[0]} \\(Kick user \\d+\\): offline`))
    const again = await k('streamers', 'add', slugs[0]!.toUpperCase(), '--json')
    expect(again.code).toBe(0)
    const body = json(again)
    expect(body.created).toBe(false)
    expect(StreamerStatus.parse(body.status).slug).toBe(slugs[0]!)
    const unknown = await k('streamers', 'add', 'no-such-channel')
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).toBe('kickmon: Kick has no channel named "no-such-channel"\n')
  })

  test('list shows a streamer going live with viewers, title and category; --json is StreamerStatus[]', async () => {
    await sim(slugs[0]!, { live: true, viewers: 43210, title: 'cli test stream' })
    const rows = await eventually(async () => {
      const r = await k('streamers', 'list', '--json')
      const list = StreamerStatus.array().parse(json(r))
      return list.find((s) => s.live && s.viewers === 43210) ? list : null
    }, 20_000, 'the streamer to show as live')
    expect(rows).toHaveLength(1)
    const r = await k('streamers', 'list')
    expect(r.code).toBe(0)
    const [header, row] = r.stdout.split('\n')
    expect(header).toMatch(/^SLUG +STATE +VIEWERS +UPTIME +TITLE +CATEGORY +CHECKED$/)
    expect(row).toMatch(new RegExp(`^${slugs[0]} +LIVE +43,210 +\\d+s +cli test stream +\\S`))
    expect(r.stdout).toContain('1 streamer, 1 live')
    expect((await k('streamers', 'list', '--live', '--json')).stdout).toContain(slugs[0]!)
  })

  test('what a streamer writes cannot reach the terminal as control sequences', async () => {
    await sim(slugs[0]!, { title: 'evil \u001b]0;pwned\u0007 \u001b[2J title \u202e' })
    await eventually(async () => (await k('streamers', 'list')).stdout.includes('evil'), 20_000, 'the new title')
    const r = await k('streamers', 'show', slugs[0]!)
    for (const out of [r.stdout, (await k('streamers', 'list')).stdout]) {
      expect(out).toContain('evil ]0;pwned [2J title')
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/)
    }
    // --json keeps the data exactly (JSON escapes it).
    expect(json(await k('streamers', 'list', '--json'))[0].title).toContain('\u001b]0;pwned')
  })

  test('show gives status, profile, recent streams and events; --json has all three', async () => {
    const r = await k('streamers', 'show', slugs[0]!)
    expect(r.code, fail(r)).toBe(0)
    expect(r.stdout).toMatch(/LIVE, 43,210 viewers, for \d+/)
    expect(r.stdout).toMatch(/^kick user id: +\d+$/m)
    // Kick's /channels carries both subscriber counts; no API source has followers.
    const ch = (await (await fetch(`${stack.simUrl}/_sim/channels/${slugs[0]}`)).json()) as { active_subscribers_count: number; active_gifted_subscribers_count: number }
    const n = (x: number) => x.toLocaleString('en-US')
    expect(r.stdout).toMatch(new RegExp(`^subscribers: +${n(ch.active_subscribers_count)} \\(${n(ch.active_gifted_subscribers_count)} gifted\\), read `, 'm'))
    expect(r.stdout).toMatch(/^followers: +unknown /m)
    expect(r.stdout).toContain('Recent streams')
    expect(r.stdout).toMatch(/Recent events\nAT +EVENT\n[\s\S]*went live: 43,210 viewers/)
    const j = json(await k('streamers', 'show', slugs[0]!, '--json'))
    expect(Object.keys(j).sort()).toEqual(['events', 'profile', 'sessions'])
    expect(StreamerStatus.parse(j.profile.status).live).toBe(true)
    expect(StreamSession.array().parse(j.sessions).length).toBeGreaterThan(0)
    expect(StatusEvent.array().parse(j.events).map((e) => e.type)).toContain('online')
    const missing = await k('streamers', 'show', slugs[2]!)
    expect(missing.code).toBe(3)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
  })

  test('history: events newest first, filtered by type; --sessions; --viewers', async () => {
    await sim(slugs[0]!, { live: false })
    await eventually(async () => json(await k('streamers', 'history', slugs[0]!, '--json')).some((e: StatusEvent) => e.type === 'offline'), 20_000, 'the offline event')
    const events = StatusEvent.array().parse(json(await k('streamers', 'history', slugs[0]!, '--json')))
    expect(events[0]!.type).toBe('offline')
    expect(events.map((e) => e.type)).toContain('online')
    const r = await k('streamers', 'history', slugs[0]!)
    expect(r.stdout).toMatch(/^AT +TYPE +WHAT\n.+offline +went offline after \d+/)
    const only = StatusEvent.array().parse(json(await k('streamers', 'history', slugs[0]!, '--type', 'online', '--json')))
    expect(only.length).toBeGreaterThan(0)
    expect(only.every((e) => e.type === 'online')).toBe(true)
    const sessions = StreamSession.array().parse(json(await k('streamers', 'history', slugs[0]!, '--sessions', '--json')))
    expect(sessions[0]!.peak_viewers).toBe(43210)
    expect(sessions[0]!.ended_at).not.toBeNull()
    const viewers = ViewerHistory.parse(json(await k('streamers', 'history', slugs[0]!, '--viewers', '--since', '1h', '--json')))
    expect(viewers.points.some((p) => p.max === 43210)).toBe(true)
    const human = await k('streamers', 'history', slugs[0]!, '--viewers', '--since', '1h')
    expect(human.stdout).toMatch(/^[▁▂▃▄▅▆▇█]+$/m)
    expect((await k('streamers', 'history', slugs[0]!, '--sessions', '--viewers')).code).toBe(2)
  })

  test('import: a roster with URLs, comments, duplicates, bad and unknown names → partial (6) with a summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kickmon-import-'))
    const file = join(dir, 'roster.txt')
    writeFileSync(file, [`# our roster`, `https://kick.com/${slugs[1]}`, `${slugs[0]}, ${slugs[1]}`, 'Bad!Name', 'no-such-channel', ''].join('\n'))
    const dry = await k('streamers', 'import', file, '--dry-run', '--json')
    expect(dry.code).toBe(6)
    expect(json(dry)).toEqual({ dry_run: true, would_add: [slugs[1], 'no-such-channel'], existing: [slugs[0]], invalid: [{ line: 4, value: 'Bad!Name', error: expect.stringContaining('a Kick slug') }] })
    expect(json(await k('streamers', 'list', '--json'))).toHaveLength(1) // a dry run changes nothing
    const r = await k('streamers', 'import', file, '--json')
    expect(r.code).toBe(6)
    expect(json(r)).toEqual({ added: [slugs[1]], existing: [slugs[0]], not_found: ['no-such-channel'], invalid: [{ line: 4, value: 'Bad!Name', error: expect.any(String) }], failed: [] })
    // From stdin, everything fine: exit 0 and a one-line summary.
    const stdin = await kickmon(['streamers', 'import', '-'], { env, stdin: `${slugs[2]}\n${slugs[1]}\n` })
    expect(stdin.code, fail(stdin)).toBe(0)
    expect(stdin.stdout).toBe('1 added, 1 already monitored, 0 not on Kick, 0 invalid, 0 failed\n')
    expect(stdin.stderr).toBe('') // no progress bar without a terminal
    const missing = await k('streamers', 'import', join(dir, 'nope.txt'))
    expect(missing.code).toBe(3)
    expect(missing.stderr).toBe(`kickmon: no such file: ${join(dir, 'nope.txt')}\n`)
  })

  test('remove archives: 0 and says what happened, then 3 for a streamer no longer monitored', async () => {
    const r = await k('streamers', 'remove', slugs[2]!)
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`archived ${slugs[2]}: no longer monitored; its history is kept ("kickmon streamers add ${slugs[2]}" resumes it)\n`)
    const again = await k('streamers', 'remove', slugs[2]!, '--json')
    expect(again.code).toBe(3)
    expect(json(again)).toEqual({ error: { code: 'NOT_FOUND', message: `"${slugs[2]}" is not monitored`, exit_code: 3 } })
  })

  test('adds and removes are in the audit log as the cli operator; a repeated add or a failed remove is not', async () => {
    const rows = await stack.db.sql<{ action: string; target: string; actor_name: string }[]>`
      select action, target, actor_name from audit_log where action like 'streamer.%' order by id`
    const of = (slug: string) => rows.filter((r) => r.target === `streamer:${slug}`).map((r) => `${r.action} by ${r.actor_name}`)
    expect(of(slugs[0]!)).toEqual(['streamer.add by system:cli']) // added twice, recorded once
    expect(of(slugs[2]!)).toEqual(['streamer.add by system:cli', 'streamer.remove by system:cli']) // import, then remove (the second remove failed)
    expect(of('no-such-channel')).toEqual([])
  })

  test('list --archived, purge (needs --yes, refuses a monitored streamer), resume by adding again', async () => {
    const archived = await k('streamers', 'list', '--archived', '--json')
    expect(archived.code, fail(archived)).toBe(0)
    expect(json(archived).map((a: { slug: string }) => a.slug)).toEqual([slugs[2]])
    const table = await k('streamers', 'list', '--archived')
    expect(table.stdout).toMatch(new RegExp(`^SLUG +ARCHIVED +STREAMS +EVENTS +LAST STREAM\n${slugs[2]} +`))
    expect((await k('streamers', 'list', '--archived', '--live')).code).toBe(2)
    const show = await k('streamers', 'show', slugs[2]!)
    expect(show.code, fail(show)).toBe(0) // its history stays readable
    expect(show.stdout).toMatch(/^archived: .+not monitored; history kept/m)

    const id = (await stack.db.sql<{ id: number }[]>`select id from streamers where slug = ${slugs[2]!}`)[0]!.id
    const noYes = await k('streamers', 'purge', slugs[2]!)
    expect(noYes.code).toBe(2)
    expect(noYes.stderr).toContain('add --yes')
    const monitored = await k('streamers', 'purge', slugs[0]!, '--yes')
    expect(monitored.code).toBe(5)
    expect(monitored.stderr).toContain('remove it first')
    expect((await k('streamers', 'purge', 'never-added', '--yes')).code).toBe(3)

    // Resume, then archive again: the same row.
    const resumed = await k('streamers', 'add', slugs[2]!)
    expect(resumed.code, fail(resumed)).toBe(0)
    expect(resumed.stdout).toStartWith(`resumed ${slugs[2]} (Kick user `)
    expect((await stack.db.sql`select id from streamers where slug = ${slugs[2]!} and archived_at is null`)[0]).toEqual({ id })
    expect((await k('streamers', 'remove', slugs[2]!)).code).toBe(0)

    const purged = await k('streamers', 'purge', slugs[2]!, '--yes', '--json')
    expect(purged.code, fail(purged)).toBe(0)
    expect(json(purged)).toMatchObject({ purged: slugs[2], streamer_id: id })
    expect((await stack.db.sql`select id from streamers where slug = ${slugs[2]!}`).length).toBe(0)
    expect((await k('streamers', 'purge', slugs[2]!, '--yes')).code).toBe(3)
    const audit = await stack.db.sql<{ action: string }[]>`select action from audit_log where target = ${`streamer:${slugs[2]}`} order by id`
    expect(audit.map((a) => a.action)).toEqual(['streamer.add', 'streamer.remove', 'streamer.resume', 'streamer.remove', 'streamer.purge'])
  })

  test('users assign warns (on stderr) about streamers nobody monitors, and still assigns them', async () => {
    const r = await k('users', 'assign', 'admin', slugs[0]!, 'never-added')
    expect(r.code, fail(r)).toBe(0)
    expect(r.stdout).toBe(`admin sees ${[slugs[0]!, 'never-added'].sort().join(', ')} (an admin sees every streamer anyway)\n`)
    expect(r.stderr).toBe('warning: not monitored yet: never-added (kickmon streamers add <slug>)\n')
  })

  test('with the poller stopped: exit 4 and a line naming it', async () => {
    await stack.procs.get('poller')!.stop()
    const r = await k('streamers', 'list')
    expect(r.code).toBe(4)
    expect(r.stderr).toBe('kickmon: the poller service is not running\n')
  })
})
