import type { SimControl } from '../sim-control.ts'

// The storm: every streamer goes live and offline over and over through kick-sim's control
// API, each stream and each gap lasting `holdS` seconds (at random within it). What the
// storm did is the truth the checker compares everything else with.
//
// Why the holds are long: a stream that starts and ends entirely inside an outage (or a gap
// shorter than OFFLINE_GRACE_S + a poll interval) cannot be seen by any poller, and a gap
// that short is by design one stream (the grace window). So every hold must outlast the
// longest fault + the grace window + a few poll intervals; `minHoldS()` says how long.

export type TruthStream = { startIso: string; start: number; end: number | null }
export type StreamerTruth = { streams: TruthStream[]; live: boolean; lastChange: number }

export function minHoldS(o: { faultS: number; graceS: number; intervalS: number }): number {
  return o.faultS + o.graceS + 3 * o.intervalS
}

export class Storm {
  readonly truth = new Map<string, StreamerTruth>()
  private next = new Map<string, number>()
  private timer: Timer | null = null
  private busy = new Set<string>()
  private rnd: () => number
  changes = 0
  failures = 0

  constructor(
    private readonly sim: SimControl,
    private readonly holdS: [number, number],
    seed = 11,
  ) {
    let s = seed
    this.rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  }

  /** Reads the world as it is now (streams already running are part of the truth). */
  async init() {
    const now = Date.now()
    for (const c of await this.sim.channels()) {
      const streams: TruthStream[] = c.live && c.started_at ? [{ startIso: c.started_at, start: Date.parse(c.started_at), end: null }] : []
      this.truth.set(c.slug, { streams, live: c.live, lastChange: 0 })
      // Staggered first changes so the storm is steady from the start.
      this.next.set(c.slug, now + this.rnd() * this.holdS[1] * 1000)
    }
  }

  private hold() {
    return (this.holdS[0] + this.rnd() * (this.holdS[1] - this.holdS[0])) * 1000
  }

  start() {
    this.timer = setInterval(() => this.tick(), 100)
  }

  /** Stops making changes and waits for those in flight. */
  async stop() {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    while (this.busy.size) await Bun.sleep(20)
  }

  private tick() {
    const now = Date.now()
    for (const [slug, at] of this.next) {
      if (at > now || this.busy.has(slug) || this.busy.size >= 32) continue
      this.busy.add(slug)
      void this.flip(slug).finally(() => this.busy.delete(slug))
    }
  }

  private async flip(slug: string) {
    const t = this.truth.get(slug)!
    const to = !t.live
    try {
      const view = await this.sim.patch(slug, { live: to })
      const now = Date.now()
      if (to) t.streams.push({ startIso: view.started_at!, start: Date.parse(view.started_at!), end: null })
      else if (t.streams.at(-1)) t.streams.at(-1)!.end = now
      t.live = to
      t.lastChange = now
      this.changes++
      this.next.set(slug, now + this.hold())
    } catch {
      this.failures++
      this.next.set(slug, Date.now() + 1000)
    }
  }

  /** kick-sim's world must agree with what the storm believes it did. */
  async verifyAgainstSim(): Promise<string[]> {
    const problems: string[] = []
    for (const c of await this.sim.channels()) {
      const t = this.truth.get(c.slug)
      if (!t) continue
      if (t.live !== c.live) problems.push(`${c.slug}: storm says ${t.live ? 'live' : 'offline'}, kick-sim says ${c.live ? 'live' : 'offline'}`)
      else if (c.live && t.streams.at(-1)?.startIso !== c.started_at) problems.push(`${c.slug}: stream start differs (${t.streams.at(-1)?.startIso} vs ${c.started_at})`)
    }
    return problems
  }
}
