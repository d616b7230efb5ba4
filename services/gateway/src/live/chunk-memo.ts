import { flatten } from '../views/html.ts'

/**
 * Catch-up chunks built once and reused for every socket that needs the same one. In a burst,
 * a thousand dashboards catch up through the same 50-row chunks in the same order; building
 * each for every socket was most of the gateway's CPU in bench/burst.ts (and held back the
 * webhook acknowledgements on the same event loop). A chunk is a pure function of its rows,
 * so the cache is emptied whenever a row changes, and kept small. A chunk is kept in one buffer
 * (views/html.ts `flatten`), not as the tree of pieces it was built from.
 */
export class ChunkMemo {
  private chunks = new Map<string, string>()

  constructor(private readonly max = 256) {}

  get(key: string, build: () => string): string {
    let chunk = this.chunks.get(key)
    if (chunk === undefined) {
      if (this.chunks.size >= this.max) this.chunks.clear()
      chunk = flatten(build())
      this.chunks.set(key, chunk)
    }
    return chunk
  }

  clear() {
    this.chunks.clear()
  }
}
