// Modules a service needs only on a rare path (a template rendered, a badge drawn, a database
// opened) are imported on first use instead of at start, so a process that never takes that
// path never pays their memory (docs/performance.md, "memory"; bench/module-cost.ts measures it).

/** Thrown when a lazily imported module fails to load: names the module and what needed it. */
export class LazyImportError extends Error {
  override name = 'LazyImportError'
}

const failure = (module: string, purpose: string, e: unknown) =>
  new LazyImportError(`could not load ${module} (needed for ${purpose}): ${(e as Error)?.message ?? String(e)}`, { cause: e })

/**
 * `load` (write it as `() => import('literal')`, so the bundler still finds the module) runs on
 * the first call and its module is kept for the next ones. A failed load rejects every caller
 * waiting on it with a LazyImportError, and the next call tries again (a package installed
 * meanwhile is then found).
 */
export function lazyImport<M>(module: string, purpose: string, load: () => Promise<M>): () => Promise<M> {
  let pending: Promise<M> | null = null
  return () =>
    (pending ??= load().catch((e: unknown) => {
      pending = null
      throw failure(module, purpose, e)
    }))
}

/**
 * The same for a caller that must stay synchronous: `load` is `() => require('literal')`,
 * evaluated on the first call (Bun loads ES modules through require too).
 */
export function lazyRequire<M>(module: string, purpose: string, load: () => M): () => M {
  let loaded: { m: M } | null = null
  return () => {
    if (loaded) return loaded.m
    try {
      loaded = { m: load() }
    } catch (e) {
      throw failure(module, purpose, e)
    }
    return loaded.m
  }
}
