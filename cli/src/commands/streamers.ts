import { z } from 'zod'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { AppError, isAppError } from '@kickmon/shared/errors'
import { AuthApi } from '@kickmon/shared/contracts/auth'
import { PollerApi, type StreamerProfile, type StreamSession } from '@kickmon/shared/contracts/poller'
import { Slug } from '@kickmon/shared/validation'
import { flag, intOption, noArgs } from '../args.ts'
import { command, type Group } from '../command.ts'
import type { Ctx } from '../context.ts'
import { categoryName, describeEvent, quoted, stateWord, uptime } from '../describe.ts'
import { CliError, Exit } from '../exit-codes.ts'
import { ago, duration, localTime, num, parseDuration, viewerCount } from '../format.ts'
import type { Column } from '../output.ts'
import { readImport } from '../import-file.ts'
import { progress } from '../progress.ts'
import { clean } from '../text.ts'

const oneSlug = z.tuple([Slug])
const ADD_TIMEOUT = 15_000 // the poller asks Kick before answering

/**
 * Into auth's audit log as the `cli` system actor, like every operator action. The change has
 * happened by then, so a failure to record it is a warning on stderr, not a failed command.
 */
async function recordInAudit(ctx: Ctx, change: 'added' | 'resumed' | 'removed' | 'purged', slug: string, purged?: { events: number; sessions: number; samples: number }) {
  try {
    await ctx.call(AuthApi.auditStreamer, { actor: { system: 'cli' }, change, slug, ...(purged ? { purged } : {}) })
  } catch (e) {
    ctx.out.note(`kickmon: warning: ${slug} ${change}, but not recorded in the audit log: ${(e as Error).message}`)
  }
}

function statusColumns(ctx: Ctx): Column<StreamerStatus>[] {
  const { s } = ctx.out
  const now = Date.now()
  return [
    { header: 'SLUG', get: (r) => r.slug },
    { header: 'STATE', get: stateWord, style: (v, r) => (r.stale ? s.yellow(v) : r.live ? s.green(v) : s.dim(v)) },
    { header: 'VIEWERS', get: (r) => (r.live ? viewerCount(r.viewers) : '-'), align: 'right' },
    { header: 'UPTIME', get: (r) => uptime(r, now) || '-', align: 'right' },
    { header: 'TITLE', get: (r) => (r.live ? r.title ?? '' : ''), flex: true },
    { header: 'CATEGORY', get: (r) => (r.live ? categoryName(r) : '') },
    { header: 'CHECKED', get: (r) => ago(r.checked_at, now) },
  ]
}

const list = command({
  name: 'list',
  summary: 'the monitored streamers and their status (live first); --archived: the removed ones whose history is kept',
  usage: '',
  options: {
    live: flag('only streamers who are live'),
    stale: flag('only streamers without a fresh reading'),
    archived: flag('the archived streamers instead: removed from monitoring, history kept (add one again to resume it)'),
  },
  args: noArgs,
  examples: ['kickmon streamers list', 'kickmon streamers list --live', "kickmon streamers list --json | jq -r '.[] | select(.live) | .slug'", 'kickmon streamers list --archived'],
  run: async (ctx, o) => {
    if (o.archived) {
      if (o.live || o.stale) throw new CliError(Exit.USAGE, '--archived lists streamers nobody monitors: it does not combine with --live or --stale')
      return listArchived(ctx)
    }
    let rows = await ctx.call(PollerApi.list, {})
    if (o.live) rows = rows.filter((r) => r.live)
    if (o.stale) rows = rows.filter((r) => r.stale)
    rows.sort((a, b) => Number(b.live) - Number(a.live) || (b.viewers ?? -1) - (a.viewers ?? -1) || a.slug.localeCompare(b.slug))
    if (ctx.json) return ctx.out.data(rows)
    ctx.out.table(statusColumns(ctx), rows, 'no streamers match (add one with "kickmon streamers add <slug>")')
    const live = rows.filter((r) => r.live).length
    const stale = rows.filter((r) => r.stale).length
    ctx.out.line(ctx.out.s.dim(`${rows.length} streamer${rows.length === 1 ? '' : 's'}, ${live} live${stale ? `, ${stale} stale` : ''}`))
  },
})

const add = command({
  name: 'add',
  summary: 'start monitoring a Kick channel (checked with Kick first)',
  usage: '<slug>',
  description: 'Adding a channel that is already monitored is not an error: it says so and exits 0.\nA slug Kick does not know exits 3.',
  options: {},
  args: oneSlug,
  examples: ['kickmon streamers add xqc', 'kickmon streamers add xqc --json'],
  run: async (ctx, _o, [slug]) => {
    const r = await ctx.call(PollerApi.add, { slug }, { timeout: ADD_TIMEOUT })
    if (r.created || r.resumed) await recordInAudit(ctx, r.resumed ? 'resumed' : 'added', slug)
    if (ctx.json) return ctx.out.data(r)
    const who = r.status.kick_user_id ? ` (Kick user ${r.status.kick_user_id})` : ''
    ctx.out.line(
      r.created ? `added ${slug}${who}: ${stateWord(r.status)}`
      : r.resumed ? `resumed ${slug}${who} with its history: ${stateWord(r.status)}`
      : `${slug} is already monitored: ${stateWord(r.status)}`,
    )
  },
})

const remove = command({
  name: 'remove',
  summary: 'stop monitoring a streamer; it is archived with its whole history (nothing is deleted)',
  usage: '<slug>',
  description:
    'The streamer is archived: its events, streams, viewer samples, profile and user assignments are kept,\n' +
    'and "kickmon streamers add <slug>" resumes it with all of them. Only "kickmon streamers purge" deletes history.',
  options: {},
  args: oneSlug,
  examples: ['kickmon streamers remove xqc'],
  run: async (ctx, _o, [slug]) => {
    const r = await ctx.call(PollerApi.remove, { slug })
    await recordInAudit(ctx, 'removed', slug)
    if (ctx.json) return ctx.out.data(r)
    ctx.out.line(`archived ${r.removed}: no longer monitored; its history is kept ("kickmon streamers add ${r.removed}" resumes it)`)
  },
})

const purge = command({
  name: 'purge',
  summary: "delete an archived streamer's whole history for good (needs --yes)",
  usage: '<slug>',
  description:
    'Deletes the streamer and every event, stream and viewer sample recorded for it, in one transaction\n' +
    '(all or nothing), and records it in the audit log. Only an archived streamer can be purged: remove it\n' +
    'first. A monitored streamer exits 5, an unknown one 3.',
  options: { yes: flag('yes, delete this history for good') },
  args: oneSlug,
  examples: ['kickmon streamers purge xqc --yes'],
  run: async (ctx, o, [slug]) => {
    if (!o.yes) throw new CliError(Exit.USAGE, `purge deletes ${slug}'s whole history and cannot be undone: add --yes to do it`)
    const r = await ctx.call(PollerApi.purge, { slug }, { timeout: 60_000 })
    await recordInAudit(ctx, 'purged', slug, { events: r.events, sessions: r.sessions, samples: r.samples })
    if (ctx.json) return ctx.out.data(r)
    ctx.out.line(`purged ${r.purged}: deleted ${num(r.events)} events, ${num(r.sessions)} streams and ${num(r.samples)} viewer samples`)
  },
})

async function listArchived(ctx: Ctx) {
  const rows = await ctx.call(PollerApi.archived, {})
  if (ctx.json) return ctx.out.data(rows)
  ctx.out.table(
    [
      { header: 'SLUG', get: (r) => r.slug },
      { header: 'ARCHIVED', get: (r) => localTime(r.archived_at) },
      { header: 'STREAMS', get: (r) => num(r.sessions), align: 'right' },
      { header: 'EVENTS', get: (r) => num(r.events), align: 'right' },
      { header: 'LAST STREAM', get: (r) => (r.last_stream_at ? localTime(r.last_stream_at) : '-') },
    ],
    rows,
    'no archived streamers',
  )
  if (rows.length) ctx.out.line(ctx.out.s.dim(`${rows.length} archived; "kickmon streamers add <slug>" resumes one, "kickmon streamers purge <slug> --yes" deletes its history`))
}

type ImportResult = {
  added: string[]
  existing: string[]
  not_found: string[]
  invalid: { line: number; value: string; error: string }[]
  failed: { slug: string; error: string }[]
}

const importCmd = command({
  name: 'import',
  summary: 'add many streamers from a file or stdin (one slug or kick.com URL per line)',
  usage: '<file>',
  description:
    'Accepts one slug per line (or separated by commas or spaces), kick.com channel URLs, "#" comments and\n' +
    'a JSON array of slugs. Every slug is checked with Kick; a bar shows progress on a terminal.\n' +
    'Exit 0 when every slug was added or already monitored, 6 when some were invalid, unknown or failed\n' +
    '(the summary lists them), 4 when NATS or the poller went away (what was added stays added).',
  options: {
    dryRun: flag('check the file and show what would be added, change nothing'),
    concurrency: intOption('n', 'requests in flight at once (default 4)', 1, 16, 4),
  },
  args: z.tuple([z.string().min(1, 'name a file, or - for stdin')]),
  examples: ['kickmon streamers import roster.txt', 'cat roster.txt | kickmon streamers import -', 'kickmon streamers import roster.txt --dry-run --json'],
  run: async (ctx, o, [file]) => {
    const parsed = await readImport(file)
    const result: ImportResult = { added: [], existing: [], not_found: [], invalid: parsed.invalid, failed: [] }
    const monitored = new Set((await ctx.call(PollerApi.list, {})).map((s) => s.slug))
    const todo = parsed.slugs.filter((slug) => {
      if (!monitored.has(slug)) return true
      result.existing.push(slug)
      return false
    })
    if (o.dryRun) {
      if (ctx.json) ctx.out.data({ dry_run: true, would_add: todo, existing: result.existing, invalid: result.invalid })
      else {
        ctx.out.line(`would add ${todo.length}: ${todo.join(', ') || '-'}`)
        ctx.out.line(`already monitored ${result.existing.length}; invalid ${result.invalid.length}`)
        for (const i of result.invalid) ctx.out.line(`  line ${i.line}: "${clean(i.value)}": ${i.error}`)
      }
      return result.invalid.length ? Exit.PARTIAL : Exit.OK
    }
    const bar = progress(todo.length, 'importing')
    const stopped: { by: AppError | null } = { by: null }
    const queue = [...todo]
    const worker = async () => {
      for (let slug = queue.shift(); slug && !stopped.by; slug = queue.shift()) {
        try {
          const r = await ctx.call(PollerApi.add, { slug }, { timeout: ADD_TIMEOUT })
          ;(r.created || r.resumed ? result.added : result.existing).push(slug)
          if (r.created || r.resumed) await recordInAudit(ctx, r.resumed ? 'resumed' : 'added', slug)
        } catch (e) {
          if (isAppError(e, 'NOT_FOUND')) result.not_found.push(slug)
          else if (isAppError(e, 'UNAVAILABLE')) stopped.by ??= e
          else result.failed.push({ slug, error: (e as Error).message })
        }
        bar.tick(slug)
      }
    }
    await Promise.all(Array.from({ length: o.concurrency }, worker))
    bar.done()
    const aborted = stopped.by
    if (ctx.json) ctx.out.data(aborted ? { ...result, aborted: aborted.message } : result)
    else printImport(ctx, result)
    if (aborted) {
      ctx.out.note(`kickmon: import stopped: ${aborted.message}; ${result.added.length} added before that (run it again to continue)`)
      return Exit.UNAVAILABLE
    }
    return result.not_found.length + result.invalid.length + result.failed.length ? Exit.PARTIAL : Exit.OK
  },
})

function printImport(ctx: Ctx, r: ImportResult) {
  const { s } = ctx.out
  ctx.out.line(`${s.green(`${r.added.length} added`)}, ${r.existing.length} already monitored, ${r.not_found.length} not on Kick, ${r.invalid.length} invalid, ${r.failed.length} failed`)
  if (r.not_found.length) ctx.out.line(`not on Kick: ${r.not_found.join(', ')}`)
  for (const i of r.invalid) ctx.out.line(`invalid: line ${i.line}: "${clean(i.value)}": ${i.error}`)
  for (const f of r.failed) ctx.out.line(`failed: ${f.slug}: ${f.error}`)
}

const show = command({
  name: 'show',
  summary: "one streamer: status, profile, recent streams and events",
  usage: '<slug>',
  options: {},
  args: oneSlug,
  examples: ['kickmon streamers show xqc', 'kickmon streamers show xqc --json | jq .profile.followers_count'],
  run: async (ctx, _o, [slug]) => {
    const profile = await ctx.call(PollerApi.profile, { slug })
    const [sessions, events] = await Promise.all([ctx.call(PollerApi.sessions, { slug, limit: 5 }), ctx.call(PollerApi.events, { slug, limit: 5 })])
    if (ctx.json) return ctx.out.data({ profile, sessions, events })
    const st = profile.status
    const { s } = ctx.out
    ctx.out.line(`${s.bold(clean(st.username))} ${s.dim(`(${st.slug})`)}  ${st.live ? s.green(`LIVE, ${viewerCount(st.viewers)} viewers, for ${uptime(st)}`) : s.dim('offline')}${st.stale ? s.yellow('  stale') : ''}`)
    ctx.out.pairs([
      ['title', st.live ? quoted(st.title) : '-'],
      ['category', st.live ? categoryName(st) : '-'],
      ['kick user id', st.kick_user_id ? String(st.kick_user_id) : 'not resolved yet'],
      ['followers', profile.followers_count === null ? 'unknown (only Kick\'s website has it: the browser fallback)' : `${num(profile.followers_count)}${profile.followers_at ? ` (read ${ago(profile.followers_at)})` : ''}`],
      ['subscribers', subscribersText(profile)],
      ...(profile.archived_at ? [['archived', `${localTime(profile.archived_at)}: not monitored; history kept ("kickmon streamers add ${st.slug}" resumes it)`] as [string, string]] : []),
      ['read', `${st.source ?? 'never'}, ${ago(st.checked_at)}; last change ${ago(st.changed_at)}`],
      ['monitored since', localTime(profile.monitored_since)],
      ['bio', clean(profile.bio) || '-'],
    ])
    ctx.out.line()
    ctx.out.line(s.bold('Recent streams'))
    sessionTable(ctx, sessions)
    ctx.out.line()
    ctx.out.line(s.bold('Recent events'))
    ctx.out.table([{ header: 'AT', get: (e) => localTime(e.at) }, { header: 'EVENT', get: describeEvent, flex: true }], events, '(none yet)')
  },
})

/** Kick's active subscriptions (gifted included) and the gifted share, or why there is none. */
function subscribersText(p: StreamerProfile): string {
  if (p.active_subscribers_count == null) return 'unknown (Kick has not sent a count)'
  const gifted = p.active_gifted_subscribers_count == null ? '' : ` (${num(p.active_gifted_subscribers_count)} gifted)`
  return `${num(p.active_subscribers_count)}${gifted}${p.subscribers_at ? `, read ${ago(p.subscribers_at)}` : ''}`
}

function sessionTable(ctx: Ctx, rows: StreamSession[]) {
  ctx.out.table(
    [
      { header: 'STARTED', get: (r) => localTime(r.started_at) },
      { header: 'DURATION', get: (r) => `${duration(r.duration_s)}${r.ended_at ? '' : ' (live)'}`, align: 'right' },
      { header: 'PEAK', get: (r) => num(r.peak_viewers), align: 'right' },
      { header: 'AVG', get: (r) => num(Math.round(r.avg_viewers)), align: 'right' },
      { header: 'HOURS WATCHED', get: (r) => num(Math.round(r.hours_watched)), align: 'right' },
      { header: 'TITLE', get: (r) => r.title ?? '', flex: true },
    ],
    rows,
    '(no streams recorded yet)',
  )
}

const SPARK = '▁▂▃▄▅▆▇█'
const sparkline = (values: number[]) => {
  const max = Math.max(1, ...values)
  return values.map((v) => SPARK[Math.min(7, Math.floor((v / max) * 7.999))]).join('')
}

const history = command({
  name: 'history',
  summary: "a streamer's events (default), streams (--sessions) or viewer counts (--viewers)",
  usage: '<slug>',
  options: {
    limit: intOption('n', 'how many events or streams (default 20)', 1, 500, 20),
    type: { schema: z.enum(['online', 'offline', 'title', 'category']).optional(), value: 'type', help: 'only events of this type: online, offline, title, category' },
    before: { schema: z.iso.datetime({ offset: true, error: 'must be an ISO time such as 2026-07-01T12:00:00Z' }).optional(), value: 'time', help: 'page back: events or streams before this ISO time' },
    sessions: flag('list streams (start, duration, peak and average viewers)'),
    viewers: flag('viewer counts over time'),
    since: { schema: z.string().default('24h').refine((v) => parseDuration(v) !== null, 'must be a duration such as 90m, 6h or 7d'), value: 'duration', help: 'with --viewers: how far back (default 24h)' },
    step: { schema: z.string().optional().refine((v) => v === undefined || parseDuration(v) !== null, 'must be a duration such as 60s or 5m'), value: 'duration', help: 'with --viewers: bucket size (default: chosen by the poller)' },
  },
  args: oneSlug,
  examples: [
    'kickmon streamers history xqc',
    'kickmon streamers history xqc --type online --limit 50',
    'kickmon streamers history xqc --sessions',
    'kickmon streamers history xqc --viewers --since 6h --step 5m',
  ],
  run: async (ctx, o, [slug]) => {
    if (o.sessions && o.viewers) throw new CliError(Exit.USAGE, 'choose one of --sessions and --viewers')
    if (o.viewers) {
      const to = new Date()
      const from = new Date(to.getTime() - parseDuration(o.since)! * 1000)
      const h = await ctx.call(PollerApi.viewers, { slug, from: from.toISOString(), to: to.toISOString(), step_s: o.step ? parseDuration(o.step)! : undefined })
      if (ctx.json) return ctx.out.data(h)
      ctx.out.line(`${slug}: viewers, ${localTime(h.from)} to ${localTime(h.to)}, every ${duration(h.step_s)}`)
      if (!h.points.length) return ctx.out.line(ctx.out.s.dim('(no samples in that time: offline, or not monitored then)'))
      ctx.out.line(sparkline(h.points.map((p) => p.avg)))
      ctx.out.table(
        [
          { header: 'AT', get: (p) => localTime(p.at) },
          { header: 'AVG', get: (p) => num(Math.round(p.avg)), align: 'right' },
          { header: 'MIN', get: (p) => num(p.min), align: 'right' },
          { header: 'MAX', get: (p) => num(p.max), align: 'right' },
        ],
        h.points,
      )
      return
    }
    if (o.sessions) {
      const rows = await ctx.call(PollerApi.sessions, { slug, limit: o.limit, before: o.before })
      if (ctx.json) return ctx.out.data(rows)
      return sessionTable(ctx, rows)
    }
    const events = await ctx.call(PollerApi.events, { slug, limit: o.limit, before: o.before, type: o.type })
    if (ctx.json) return ctx.out.data(events)
    ctx.out.table(
      [
        { header: 'AT', get: (e) => localTime(e.at) },
        { header: 'TYPE', get: (e) => e.type },
        { header: 'WHAT', get: describeEvent, flex: true },
      ],
      events,
      `(no events for ${slug}${o.type ? ` of type ${o.type}` : ''})`,
    )
    if (events.length === o.limit) ctx.out.line(ctx.out.s.dim(`older: kickmon streamers history ${slug} --before ${events.at(-1)!.at}`))
  },
})

export const streamersGroup: Group = {
  name: 'streamers',
  summary: 'the monitored streamers: list, add, remove (archive), purge, import, show, history',
  commands: [list, add, remove, purge, importCmd, show, history],
}
