import { CATEGORIES, categoryById, categoryByName, makeBio, makeName, makeTitle, pickCategory, pickLanguage, type Category } from './names.ts'
import { createRng, rngUuid, type Rng } from './rng.ts'
import { curve, popularityFrom, viewersAt } from './viewers.ts'

// The simulated Kick: channels in insertion order with O(1) maps by slug and user id.
// Every mutation goes through here so the control API, the activity loop and tests share
// one set of rules, and every status/metadata change is announced to listeners (webhooks).

/** `uuid`: Kick's per-stream id on users/livestreams and v2 items (new per stream, stable across polls). */
export type Stream = { id: number; startedAt: number; uid: string; uuid: string }
export type PastStream = { id: number; startedAt: number; endedAt: number; title: string; category: Category | null; uid: string }

export type Channel = {
  slug: string
  username: string
  userId: number
  channelId: number
  bio: string
  avatarId: string
  bannerId: string
  playbackKey: string
  followers: number
  verified: boolean
  createdAt: number
  /** Active subscriptions, gifted ones included (Kick counts them in since 2026-08). */
  activeSubs: number
  /** The gifted share of activeSubs. */
  giftedSubs: number
  canceledSubs: number
  language: string
  mature: boolean
  tags: string[]
  title: string
  category: Category | null
  live: boolean
  viewers: number
  popularity: number
  stream: Stream | null
  past: PastStream[]
  /** Bumped on every change; caches of serialized views key on it. */
  rev: number
  /** When a flap (end + quick restart) is pending, the time it restarts. */
  restartAt: number | null
  /** The streamer hides the viewer count: every public source then reports 0 (mid-2026 toggle). */
  viewersHidden: boolean
}

export type ChannelView = {
  slug: string
  username: string
  user_id: number
  channel_id: number
  live: boolean
  viewers: number
  title: string
  category: { id: number; name: string } | null
  started_at: string | null
  livestream_id: number | null
  /** The public API's per-stream UUID (`id` of users/livestreams and v2 items). */
  stream_id: string | null
  viewers_hidden: boolean
  followers: number
  /** As /public/v1/channels serves them: active (gifted included) and the gifted share. */
  active_subscribers_count: number
  active_gifted_subscribers_count: number
  language: string
  is_mature: boolean
  verified: boolean
}

export type CategoryInput = { id: number; name: string } | string | null
export type ChannelPatch = { live?: boolean; viewers?: number; title?: string; category?: CategoryInput; viewers_hidden?: boolean }
export type NewChannel = { slug: string; username?: string; live?: boolean; viewers?: number; title?: string; category?: CategoryInput }

export type WorldChange =
  | { kind: 'status'; channel: Channel; ended: PastStream | null }
  | { kind: 'metadata'; channel: Channel }

export class WorldError extends Error {
  constructor(readonly status: 404 | 409, readonly code: 'not_found' | 'conflict', message: string) {
    super(message)
  }
}

export const SLUG_RE = /^[a-z0-9_-]{1,25}$/

export type WorldOptions = { channels: number; seed: number; clock: () => number }

export class World {
  private readonly bySlugMap = new Map<string, Channel>()
  private readonly byUserMap = new Map<number, Channel>()
  private readonly listeners: ((c: WorldChange) => void)[] = []
  private readonly rng: Rng
  private nextUserId: number
  private nextChannelId: number
  private nextStreamId: number
  private liveCache: Channel[] | null = null
  readonly clock: () => number
  readonly seed: number

  constructor(opts: WorldOptions) {
    this.clock = opts.clock
    this.seed = opts.seed
    this.rng = createRng(opts.seed, 1)
    this.nextUserId = 10_000 + this.rng.int(0, 5_000)
    this.nextChannelId = this.nextUserId
    this.nextStreamId = 70_000_000 + this.rng.int(0, 1_000_000)
    const now = this.clock()
    const taken = new Set<string>()
    for (let i = 0; i < opts.channels; i++) {
      const { slug, username } = makeName(this.rng, taken)
      taken.add(slug)
      const ch = this.create(slug, username, now)
      // Seeded initial state: ~45% live, started 5 min to 6 h ago.
      if (this.rng.chance(0.45)) this.beginStream(ch, now - this.rng.int(300, 6 * 3600) * 1000)
      this.insert(ch)
    }
  }

  // ---- reads -------------------------------------------------------------------------
  get size(): number {
    return this.bySlugMap.size
  }
  channels(): IterableIterator<Channel> {
    return this.bySlugMap.values()
  }
  bySlug(slug: string): Channel | undefined {
    return this.bySlugMap.get(slug.toLowerCase())
  }
  byUserId(id: number): Channel | undefined {
    return this.byUserMap.get(id)
  }
  get(slug: string): ChannelView | undefined {
    const ch = this.bySlug(slug)
    return ch ? view(ch) : undefined
  }
  list(): ChannelView[] {
    return Array.from(this.bySlugMap.values(), view)
  }
  /** Live channels, oldest stream first (ties by stream id): the v2 livestreams order. */
  live(): Channel[] {
    this.liveCache ??= [...this.bySlugMap.values()]
      .filter((c) => c.live)
      .sort((a, b) => (a.stream?.startedAt ?? 0) - (b.stream?.startedAt ?? 0) || (a.stream?.id ?? 0) - (b.stream?.id ?? 0))
    return this.liveCache
  }
  onChange(fn: (c: WorldChange) => void): () => void {
    this.listeners.push(fn)
    return () => {
      const i = this.listeners.indexOf(fn)
      if (i >= 0) this.listeners.splice(i, 1)
    }
  }

  // ---- writes (same semantics as the control API) --------------------------------------
  update(slug: string, patch: ChannelPatch): ChannelView {
    const ch = this.bySlug(slug)
    if (!ch) throw new WorldError(404, 'not_found', `no channel "${slug}"`)
    const goingLive = patch.live === true && !ch.live
    const willBeLive = patch.live ?? ch.live
    if (patch.viewers !== undefined && !willBeLive) {
      throw new WorldError(409, 'conflict', `channel "${ch.slug}" is offline; send live:true together with viewers`)
    }
    const now = this.clock()
    const events: WorldChange[] = []
    let metaChanged = false
    if (patch.title !== undefined && patch.title !== ch.title) {
      ch.title = patch.title
      metaChanged = true
    }
    if (patch.category !== undefined) {
      const next = toCategory(patch.category)
      if ((next?.id ?? 0) !== (ch.category?.id ?? 0) || (next?.name ?? '') !== (ch.category?.name ?? '')) {
        ch.category = next
        metaChanged = true
      }
    }
    if (metaChanged) events.push({ kind: 'metadata', channel: ch })
    if (patch.live !== undefined || patch.viewers !== undefined) ch.restartAt = null // a manual change wins over a pending flap
    // Kick sends no webhook for the toggle: only what the API reports changes.
    if (patch.viewers_hidden !== undefined) ch.viewersHidden = patch.viewers_hidden
    if (goingLive) {
      this.beginStream(ch, now)
      events.push({ kind: 'status', channel: ch, ended: null })
    } else if (patch.live === false && ch.live) {
      events.push({ kind: 'status', channel: ch, ended: this.endStream(ch, now) })
    }
    if (patch.viewers !== undefined && ch.live && ch.stream) {
      ch.viewers = patch.viewers
      // Re-anchor the curve so activity keeps drifting around the number the caller chose.
      ch.popularity = Math.max(1, patch.viewers / curve((now - ch.stream.startedAt) / 1000))
    }
    ch.rev++
    for (const e of events) this.emit(e)
    return view(ch)
  }

  add(input: NewChannel): ChannelView {
    const slug = input.slug.toLowerCase()
    if (this.bySlugMap.has(slug)) throw new WorldError(409, 'conflict', `channel "${slug}" already exists`)
    const now = this.clock()
    const ch = this.create(slug, input.username ?? slug, now)
    if (input.title !== undefined) ch.title = input.title
    if (input.category !== undefined) ch.category = toCategory(input.category)
    if (input.live) {
      this.beginStream(ch, now)
      if (input.viewers !== undefined) {
        ch.viewers = input.viewers
        ch.popularity = Math.max(1, input.viewers / curve(0))
      }
    }
    this.insert(ch)
    if (ch.live) this.emit({ kind: 'status', channel: ch, ended: null })
    return view(ch)
  }

  /**
   * Kick lets a broadcaster change their name: the slug follows it, the user id and channel id stay,
   * and the old slug is free at once (unknown to /channels?slug=, 404 on the website). No webhook:
   * Kick has no event for it.
   */
  rename(slug: string, next: { slug: string; username?: string }): ChannelView {
    const ch = this.bySlug(slug)
    if (!ch) throw new WorldError(404, 'not_found', `no channel "${slug}"`)
    const to = next.slug.toLowerCase()
    const owner = this.bySlugMap.get(to)
    if (owner && owner !== ch) throw new WorldError(409, 'conflict', `channel "${to}" already exists`)
    // Rebuilt rather than delete + set, so the channel keeps its place in insertion order.
    const entries = [...this.bySlugMap.values()]
    this.bySlugMap.clear()
    ch.slug = to
    ch.username = next.username ?? to
    for (const c of entries) this.bySlugMap.set(c.slug, c)
    ch.rev++
    return view(ch)
  }

  remove(slug: string): boolean {
    const ch = this.bySlug(slug)
    if (!ch) return false
    this.bySlugMap.delete(ch.slug)
    this.byUserMap.delete(ch.userId)
    if (ch.live) this.liveCache = null
    return true
  }

  /** Used by the activity loop: viewers only, no events (Kick pushes no viewer counts). */
  setViewers(ch: Channel, viewers: number): void {
    if (ch.viewers !== viewers) {
      ch.viewers = viewers
      ch.rev++
    }
  }

  // ---- internals -----------------------------------------------------------------------
  private emit(change: WorldChange): void {
    for (const fn of this.listeners) fn(change)
  }

  private insert(ch: Channel): void {
    this.bySlugMap.set(ch.slug, ch)
    this.byUserMap.set(ch.userId, ch)
    if (ch.live) this.liveCache = null
  }

  private create(slug: string, username: string, now: number): Channel {
    const rng = this.rng
    // User ids grow with gaps ≥ 10; the channel id sits just below its user id (as on Kick,
    // where xqc is user 676 / channel 668), so it is never equal to any user id.
    this.nextUserId += 10 + rng.int(0, 40)
    const userId = this.nextUserId
    const channelId = Math.max(this.nextChannelId + 1, userId - 1 - rng.int(0, 8))
    this.nextChannelId = channelId
    const category = pickCategory(rng)
    const lang = pickLanguage(rng)
    const popularity = popularityFrom(rng.normal())
    const ch: Channel = {
      slug,
      username,
      userId,
      channelId,
      bio: makeBio(rng),
      avatarId: rngUuid(rng),
      bannerId: rngUuid(rng),
      playbackKey: randomKey(rng),
      followers: Math.round(popularity * (20 + rng.int(0, 200))),
      verified: popularity > 5000 && rng.chance(0.6),
      createdAt: now - rng.int(30, 1500) * 86_400_000,
      activeSubs: Math.round(popularity * rng.next() * 0.5),
      giftedSubs: 0, // set below from activeSubs, without a draw: the seeded world stays as it was
      canceledSubs: Math.round(popularity * rng.next() * 0.05),
      language: lang.code,
      mature: rng.chance(0.3),
      tags: [lang.name, ...(rng.chance(0.5) ? [rng.pick(['Variety', 'Chill', 'Competitive', 'Funny', 'Educational'])] : [])],
      title: makeTitle(rng, category.name),
      category,
      live: false,
      viewers: 0,
      popularity,
      stream: null,
      past: [],
      rev: 0,
      restartAt: null,
      viewersHidden: false,
    }
    ch.giftedSubs = Math.floor((ch.activeSubs * (userId % 4)) / 10) // 0–30 % gifted
    return ch
  }

  /** Starts a stream at `startedAt` (activity and tests use the rng-free parts only). */
  beginStream(ch: Channel, startedAt: number): void {
    this.nextStreamId += 1 + this.rng.int(0, 500)
    const uid = randomKey(this.rng)
    // Derived, not drawn from the rng, so seeded worlds stay what they were before streams had UUIDs.
    ch.stream = { id: this.nextStreamId, startedAt, uid, uuid: streamUuid(this.seed, this.nextStreamId, uid) }
    ch.live = true
    ch.viewers = viewersAt(ch.popularity, (this.clock() - startedAt) / 1000)
    ch.restartAt = null
    ch.rev++
    this.liveCache = null
  }

  endStream(ch: Channel, at: number): PastStream | null {
    const s = ch.stream
    if (!s) return null
    const past: PastStream = { id: s.id, startedAt: s.startedAt, endedAt: at, title: ch.title, category: ch.category, uid: s.uid }
    ch.past.unshift(past)
    ch.past.length = Math.min(ch.past.length, 3)
    ch.stream = null
    ch.live = false
    ch.viewers = 0
    ch.rev++
    this.liveCache = null
    return past
  }

  /** For the activity loop: a change with the same effects as update(), chosen by the loop. */
  emitStatus(ch: Channel, ended: PastStream | null): void {
    this.emit({ kind: 'status', channel: ch, ended })
  }
  emitMetadata(ch: Channel): void {
    ch.rev++
    this.emit({ kind: 'metadata', channel: ch })
  }
}

function toCategory(input: CategoryInput): Category | null {
  if (input === null) return null
  if (typeof input === 'string') return input === '' ? null : categoryByName(input)
  return categoryById(input.id, input.name)
}

/** A version-4-shaped UUID from the stream's own identity: unique per stream, the same on every poll. */
function streamUuid(seed: number, id: number, uid: string): string {
  const h = new Bun.CryptoHasher('sha256').update(`${seed}:${id}:${uid}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** The viewer count Kick's public sources report: 0 while the streamer hides it. */
export function shownViewers(ch: Channel): number {
  return ch.live && !ch.viewersHidden ? ch.viewers : 0
}

function randomKey(rng: Rng): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let s = ''
  for (let i = 0; i < 12; i++) s += A[rng.int(0, A.length - 1)]
  return s
}

export function view(ch: Channel): ChannelView {
  return {
    slug: ch.slug,
    username: ch.username,
    user_id: ch.userId,
    channel_id: ch.channelId,
    live: ch.live,
    viewers: ch.live ? ch.viewers : 0,
    title: ch.title,
    category: ch.category ? { id: ch.category.id, name: ch.category.name } : null,
    started_at: ch.stream ? new Date(ch.stream.startedAt).toISOString() : null,
    livestream_id: ch.stream?.id ?? null,
    stream_id: ch.stream?.uuid ?? null,
    viewers_hidden: ch.viewersHidden,
    followers: ch.followers,
    active_subscribers_count: ch.activeSubs,
    active_gifted_subscribers_count: ch.giftedSubs,
    language: ch.language,
    is_mature: ch.mature,
    verified: ch.verified,
  }
}

export { CATEGORIES }
