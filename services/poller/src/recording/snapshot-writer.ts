import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { Sql, Tx } from '@kickmon/shared/db'
import type { Logger } from '@kickmon/shared/logger'

/** `viewers: null`: a reading whose count the streamer hides; it cuts the integral (no sample is stored). */
type Sample = { slug: string; at: number; viewers: number | null; source: string; startedAt: string }

const MAX_BUFFERED = 500_000

/**
 * Batches what changes on every poll (viewer samples, session aggregates, the current
 * status row) into a few statements a second. While PostgreSQL is away the batch is kept
 * and retried; after MAX_BUFFERED samples the oldest are dropped and counted.
 */
export class SnapshotWriter {
  private samples: Sample[] = []
  private statuses = new Map<string, StreamerStatus>()
  private timer: Timer | null = null
  private flushing: Promise<void> | null = null
  dropped = 0
  written = 0

  constructor(
    private readonly sql: Sql,
    private readonly log: Logger,
    private readonly everyMs = 1000,
  ) {}

  start() {
    this.timer = setInterval(() => void this.flush(), this.everyMs)
  }

  async stop() {
    if (this.timer) clearInterval(this.timer)
    await this.flush()
  }

  sample(slug: string, at: number, viewers: number, source: string, startedAt: string) {
    this.samples.push({ slug, at, viewers, source, startedAt })
    if (this.samples.length > MAX_BUFFERED) this.dropped += this.samples.splice(0, this.samples.length - MAX_BUFFERED).length
  }

  /** A live reading whose count is hidden: no sample, and no viewer time counted across it. */
  hidden(slug: string, at: number, startedAt: string) {
    this.samples.push({ slug, at, viewers: null, source: '', startedAt })
  }

  status(s: StreamerStatus) {
    this.statuses.set(s.slug, s)
  }

  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = null))
    return this.flushing
  }

  private async write() {
    if (!this.samples.length && !this.statuses.size) return
    const samples = this.samples
    const statuses = [...this.statuses.values()]
    this.samples = []
    this.statuses = new Map()
    const counted = samples.filter((s) => s.viewers !== null).length
    try {
      await this.sql.begin(async (tx) => {
        if (statuses.length) await writeStatuses(tx, statuses)
        if (samples.length) await writeSamples(tx, samples)
      })
      this.written += counted
    } catch (err) {
      // Put them back in front of anything newer and try again next tick.
      this.samples = samples.concat(this.samples)
      for (const s of statuses) if (!this.statuses.has(s.slug)) this.statuses.set(s.slug, s)
      this.log.warn({ err: (err as Error).message, samples: samples.length }, 'snapshot write failed; will retry')
    }
  }
}

/**
 * Column arrays for `unnest(...)`: one query text whatever the batch size, so postgres.js
 * prepares each statement once per connection. With `values (...), (...)` each batch size was
 * a statement of its own (13 parameters a row), and every one stayed cached on every connection:
 * tens of MB at a few thousand streamers (docs/performance.md, "poller memory").
 */
function columns<T, K extends string>(rows: T[], pick: (r: T) => Record<K, string | number | null>): Record<K, (string | number | null)[]> {
  const out = {} as Record<K, (string | number | null)[]>
  for (const r of rows) for (const [k, v] of Object.entries(pick(r)) as [K, string | number | null][]) (out[k] ??= []).push(v)
  return out
}

/**
 * Booleans travel as text ('t'/'f', cast back in SQL): postgres.js declares an array of booleans
 * as `boolean`, not `boolean[]`, and serializes a `boolean[]` parameter's strings all as false.
 */
const pgBool = (b: boolean) => (b ? 't' : 'f')

async function writeStatuses(tx: Tx, rows: StreamerStatus[]) {
  const c = columns(rows, (s) => ({
    slug: s.slug, kick_user_id: s.kick_user_id, username: s.username, live: pgBool(s.live), viewers: s.viewers ?? 0, title: s.title,
    category_id: s.category?.id ?? null, category_name: s.category?.name ?? null, started_at: s.started_at, pic: s.profile_picture_url,
    source: s.source, checked_at: s.checked_at, changed_at: s.changed_at,
  }))
  await tx`update streamers set kick_user_id = v.kick_user_id, username = v.username, live = v.live::boolean,
      viewers = v.viewers, title = v.title, category_id = v.category_id, category_name = v.category_name,
      started_at = v.started_at, profile_picture_url = v.pic, source = v.source,
      checked_at = v.checked_at, changed_at = v.changed_at, updated_at = now()
    from unnest(${c.slug}::text[], ${c.kick_user_id}::bigint[], ${c.username}::text[], ${c.live}::text[], ${c.viewers}::int[], ${c.title}::text[],
                ${c.category_id}::int[], ${c.category_name}::text[], ${c.started_at}::timestamptz[], ${c.pic}::text[], ${c.source}::text[],
                ${c.checked_at}::timestamptz[], ${c.changed_at}::timestamptz[])
      as v(slug, kick_user_id, username, live, viewers, title, category_id, category_name, started_at, pic, source, checked_at, changed_at)
    where streamers.slug = v.slug`
}

async function writeSamples(tx: Tx, all: Sample[]) {
  const shown = all.filter((s): s is Sample & { viewers: number } => s.viewers !== null)
  if (shown.length) {
    const c = columns(shown, (s) => ({ slug: s.slug, at: new Date(s.at).toISOString(), viewers: s.viewers, source: s.source }))
    await tx`insert into viewer_samples (streamer_id, at, viewers, source)
      select st.id, v.at, v.viewers, v.source
      from unnest(${c.slug}::text[], ${c.at}::timestamptz[], ${c.viewers}::int[], ${c.source}::text[]) as v(slug, at, viewers, source)
      join streamers st on st.slug = v.slug
      on conflict do nothing`
  }

  // Session aggregates: fold this batch per stream in memory, then merge with the row. A hidden
  // reading cuts the run: no viewer time is integrated or counted across it.
  type Agg = {
    slug: string; startedAt: string; firstAt: number | null; lastAt: number; lastViewers: number | null; peak: number; peakAt: number
    seconds: number; counted: number; bridge: boolean; cut: boolean
  }
  const aggs = new Map<string, Agg>()
  for (const s of [...all].sort((a, b) => a.at - b.at)) {
    const key = `${s.slug}|${s.startedAt}`
    let a = aggs.get(key)
    if (!a) aggs.set(key, (a = { slug: s.slug, startedAt: s.startedAt, firstAt: null, lastAt: s.at, lastViewers: null, peak: 0, peakAt: s.at, seconds: 0, counted: 0, bridge: true, cut: false }))
    if (s.viewers === null) {
      if (a.firstAt === null) a.bridge = false // hidden before this batch's first sample: no bridge from the row's last one
      a.lastViewers = null
      a.cut = true
      continue
    }
    if (a.firstAt === null) a.firstAt = s.at
    else if (a.lastViewers !== null) {
      a.seconds += (a.lastViewers * (s.at - a.lastAt)) / 1000
      a.counted += (s.at - a.lastAt) / 1000
    }
    a.lastAt = s.at
    a.lastViewers = s.viewers
    a.cut = false
    if (s.viewers > a.peak) (a.peak = s.viewers), (a.peakAt = s.at)
  }
  const iso = (ms: number) => new Date(ms).toISOString()
  const sampled = [...aggs.values()].filter((a) => a.firstAt !== null)
  const cutOnly = [...aggs.values()].filter((a) => a.firstAt === null)
  if (cutOnly.length) {
    // Only hidden readings for this stream in the batch: whatever comes next starts a new run.
    const c = columns(cutOnly, (a) => ({ slug: a.slug, started_at: a.startedAt }))
    await tx`update stream_sessions ss set last_sample_at = null, last_viewers = null
      from unnest(${c.slug}::text[], ${c.started_at}::timestamptz[]) as v(slug, started_at) join streamers st on st.slug = v.slug
      where ss.streamer_id = st.id and ss.started_at = v.started_at`
  }
  if (!sampled.length) return
  const c = columns(sampled, (a) => ({
    slug: a.slug, started_at: a.startedAt, first_at: iso(a.firstAt!), seconds: a.seconds, counted: a.counted, last_at: iso(a.lastAt),
    last_viewers: a.lastViewers, peak: a.peak, peak_at: iso(a.peakAt), bridge: pgBool(a.bridge), cut: pgBool(a.cut),
  }))
  const vals = () => tx`unnest(${c.slug}::text[], ${c.started_at}::timestamptz[], ${c.first_at}::timestamptz[], ${c.seconds}::float8[],
      ${c.counted}::float8[], ${c.last_at}::timestamptz[], ${c.last_viewers}::int[], ${c.peak}::int[], ${c.peak_at}::timestamptz[],
      ${c.bridge}::text[], ${c.cut}::text[])
    as v(slug, started_at, first_at, seconds, counted, last_at, last_viewers, peak, peak_at, bridge, cut)`
  await tx`insert into stream_sessions (streamer_id, started_at)
    select st.id, v.started_at::timestamptz from ${vals()} join streamers st on st.slug = v.slug
    on conflict (streamer_id, started_at) do nothing`
  // viewer_seconds integrates viewers over time: the batch's own runs plus the stretch from the
  // row's last sample to the batch's first, unless a hidden count came between them.
  await tx`update stream_sessions ss set
      viewer_seconds = ss.viewer_seconds + v.seconds::float8 + case
        when v.bridge::boolean and ss.last_sample_at is not null and v.first_at::timestamptz > ss.last_sample_at
        then ss.last_viewers * extract(epoch from v.first_at::timestamptz - ss.last_sample_at) else 0 end,
      counted_seconds = ss.counted_seconds + v.counted::float8 + case
        when v.bridge::boolean and ss.last_sample_at is not null and v.first_at::timestamptz > ss.last_sample_at
        then extract(epoch from v.first_at::timestamptz - ss.last_sample_at) else 0 end,
      last_sample_at = case when v.cut::boolean then null else greatest(ss.last_sample_at, v.last_at::timestamptz) end,
      last_viewers = case when v.cut::boolean then null
        when ss.last_sample_at is null or v.last_at::timestamptz >= ss.last_sample_at then v.last_viewers::int else ss.last_viewers end,
      peak_viewers = greatest(ss.peak_viewers, v.peak::int),
      peak_at = case when v.peak::int > ss.peak_viewers then v.peak_at::timestamptz else ss.peak_at end
    from ${vals()} join streamers st on st.slug = v.slug
    where ss.streamer_id = st.id and ss.started_at = v.started_at::timestamptz`
}
