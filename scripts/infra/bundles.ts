// Each service as one bundled file (`bun build --target bun`), which is what production-like
// processes run (`bun run start`, the systemd units, bench/memory.ts): Bun holds one module's
// code in less memory than the same code spread over hundreds of modules loaded from sources,
// 7–11 MB less per process (docs/performance.md, "memory"). Tests run the sources (no build step).
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'

const ROOT = join(import.meta.dir, '..', '..')

/**
 * Inside the checkout on purpose: what a bundle resolves at run time (the lazily imported
 * packages below, sql/ and web/ through shared/src/checkout-dir.ts) is found by walking up
 * from the bundle's own folder to the checkout's node_modules, sql/ and web/.
 */
export const BUNDLE_DIR = join(ROOT, '.build')

/** The entry points bundled, by the name of their bundle (`.build/<name>.js`). */
export const BUNDLED = {
  auth: 'services/auth/src/main.ts',
  poller: 'services/poller/src/main.ts',
  gateway: 'services/gateway/src/main.ts',
  notifier: 'services/notifier/src/main.ts',
  // auth, poller and gateway in one process (ONE_PROCESS=on, docs/operations.md).
  'one-process': 'scripts/one-process.ts',
} as const

/**
 * Imported only when needed, so left out of the bundles to stay that way: playwright-core
 * (~90 MB) when the browser fallback launches Chromium, nodemailer on the first email alert.
 */
const LAZY = ['playwright-core', 'nodemailer']

/** The bundle that runs `entry` (a path from the checkout's root), or null if it is not bundled. */
export function bundleFor(entry: string): string | null {
  const name = Object.entries(BUNDLED).find(([, e]) => e === entry)?.[0]
  return name ? join(BUNDLE_DIR, `${name}.js`) : null
}

export class BuildError extends Error {}

/** One of the bundler's messages with the file and line it is about, relative to the checkout. */
const where = (l: BuildMessage | ResolveMessage) =>
  l.position ? `${relative(ROOT, l.position.file)}:${l.position.line}:${l.position.column}: ${l.message}` : l.message

/**
 * Bundles every entry into BUNDLE_DIR (about a second for all). Source maps sit beside the
 * bundles (linked), so stack traces name the source files and lines; they cost no memory until
 * a trace is printed. Not minified: it saved nothing measurable. Built in a folder of its own
 * at the same depth (the maps' source paths are relative), then renamed into place file by
 * file, so a process starting from BUNDLE_DIR meanwhile reads a whole old or a whole new bundle.
 */
export async function buildBundles(): Promise<string[]> {
  const work = join(ROOT, `.build-${process.pid}`)
  try {
    for (const [name, entry] of Object.entries(BUNDLED)) {
      const r = await Bun.build({
        entrypoints: [join(ROOT, entry)], outdir: work, naming: `${name}.[ext]`,
        target: 'bun', sourcemap: 'linked', external: LAZY, throw: false,
      })
      if (!r.success) throw new BuildError(`bundling ${entry} failed:\n${r.logs.map(where).join('\n')}`)
    }
    mkdirSync(BUNDLE_DIR, { recursive: true })
    for (const f of readdirSync(work)) renameSync(join(work, f), join(BUNDLE_DIR, f))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return Object.values(BUNDLED).map((e) => relative(ROOT, bundleFor(e)!))
}
