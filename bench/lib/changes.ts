import { pool, type SimControl } from './sim-control.ts'
import { nowMs } from './stats.ts'
import type { Change } from './ws-fleet.ts'

/**
 * Makes streams start and end in kick-sim (PATCH /_sim/channels/<slug>), noting the moment
 * each request was sent: every latency in the benchmarks is measured from there. kick-sim
 * fires the matching webhook while answering that request.
 */
export class ChangeDriver {
  private nextId = 1
  readonly live = new Map<string, boolean>()
  readonly sent: Change[] = []
  failures = 0

  constructor(
    private readonly sim: SimControl,
    initial: { slug: string; live: boolean }[],
  ) {
    for (const c of initial) this.live.set(c.slug, c.live)
  }

  static async create(sim: SimControl) {
    return new ChangeDriver(sim, await sim.channels())
  }

  /** Flip one streamer (live ↔ offline). */
  async flip(slug: string, to = !this.live.get(slug)): Promise<Change | null> {
    const change: Change = { id: this.nextId++, slug, live: to, t0: nowMs() }
    try {
      await this.sim.patch(slug, { live: to })
    } catch {
      this.failures++
      return null
    }
    this.live.set(slug, to)
    this.sent.push(change)
    return change
  }

  /**
   * `rate` changes a second for `durationS`, each to the next streamer in `order` (so a
   * streamer changes again only after all others did). Returns the changes made.
   */
  async atRate(order: string[], rate: number, durationS: number, onChange: (c: Change) => void = () => {}): Promise<Change[]> {
    const total = Math.round(rate * durationS)
    const start = performance.now()
    const made: Change[] = []
    const inFlight = new Set<Promise<void>>()
    for (let k = 0; k < total; k++) {
      const wait = start + (k * 1000) / rate - performance.now()
      if (wait > 0) await Bun.sleep(wait)
      const p = this.flip(order[k % order.length]!).then((c) => {
        if (c) made.push(c), onChange(c)
      })
      inFlight.add(p)
      void p.finally(() => inFlight.delete(p))
    }
    await Promise.all(inFlight)
    return made
  }

  /** Every streamer in `slugs` changes at once (as fast as kick-sim takes the requests). */
  async burst(slugs: string[], to?: boolean, concurrency = 32): Promise<Change[]> {
    const made = await pool(slugs, concurrency, (slug) => this.flip(slug, to ?? !this.live.get(slug)))
    return made.filter((c): c is Change => c !== null)
  }
}

export function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items]
  let s = seed
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
