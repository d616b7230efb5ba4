import { flatten } from '../views/html.ts'

/** How long rendered markup outlives its last use. */
export const MEMO_IDLE_MS = 10_000

/**
 * Rendered markup built once and reused for every socket that needs the same piece: the
 * dashboard's rows, and its catch-up chunks. In a burst, a thousand dashboards catch up
 * through the same 50-row chunks in the same order; building each for every socket was most
 * of the gateway's CPU in bench/burst.ts (and held back the webhook acknowledgements on the
 * same event loop). A piece is a pure function of its rows, so the owner deletes or clears
 * what a change makes wrong; `max` keeps the memo small (past it, it starts over).
 *
 * Kept only while in use: `idleMs` after the last look-up everything is dropped (the next
 * catch-up renders again, a few ms). Between changes, an idle gateway held every row and,
 * after a wave of snapshots, every row a second time inside the chunks. Each piece is kept in
 * one buffer (views/html.ts `flatten`), not as the tree of pieces it was built from.
 */
export class ChunkMemo {
  private chunks = new Map<string, string>()
  private lastUse = 0
  private sweeper: Timer | null = null

  constructor(
    private readonly max = 256,
    private readonly idleMs = MEMO_IDLE_MS,
  ) {}

  get size() {
    return this.chunks.size
  }

  /** The piece under `key`, built (and kept) if missing; a `null` build is not kept. */
  get<T extends string | null>(key: string, build: () => T): T {
    this.lastUse = Date.now()
    let chunk = this.chunks.get(key)
    if (chunk === undefined) {
      const built = build()
      if (built === null) return built
      if (this.chunks.size >= this.max) this.chunks.clear()
      chunk = flatten(built)
      this.chunks.set(key, chunk)
      this.sweeper ??= setTimeout(() => this.sweep(), this.idleMs).unref()
    }
    return chunk as T
  }

  delete(key: string) {
    this.chunks.delete(key)
  }

  clear() {
    this.chunks.clear()
  }

  private sweep() {
    const idle = Date.now() - this.lastUse
    if (idle >= this.idleMs || !this.chunks.size) {
      this.chunks.clear()
      this.sweeper = null
    } else this.sweeper = setTimeout(() => this.sweep(), this.idleMs - idle).unref()
  }
}
