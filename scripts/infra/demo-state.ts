// Where `bun run start` keeps its private state (docs/operations.md, "Where state lives").
// Everything lives in the checkout's .data/, except, when run as root, PostgreSQL's data
// directory: PostgreSQL refuses to run as root, so it runs as the `postgres` user, who cannot
// enter a checkout under a 0700 directory (root's home on Debian). As root it therefore lives
// under /var/lib/postgresql/kickmon/<checkout id>, tied to this checkout by a hash of its path.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const ROOT_PG_BASE = '/var/lib/postgresql/kickmon'

/** A stable id for a checkout: the same path gives the same id, two clones never share one. */
export function checkoutId(root: string): string {
  return createHash('sha256').update(resolve(root)).digest('hex').slice(0, 16)
}

/**
 * The private PostgreSQL's data directory for the checkout at `root` with state in `dataDir`.
 * A cluster already under .data/postgres (made by an earlier version) is kept where it is.
 */
export function demoPostgresDir(root: string, dataDir: string, asRoot = process.getuid?.() === 0): string {
  const inCheckout = join(dataDir, 'postgres')
  if (!asRoot || existsSync(join(inCheckout, 'PG_VERSION'))) return inCheckout
  const dir = join(ROOT_PG_BASE, checkoutId(root))
  mkdirSync(dir, { recursive: true })
  // So a person finding either place knows what the other one is.
  writeFileSync(join(ROOT_PG_BASE, `${checkoutId(root)}.checkout`), resolve(root) + '\n')
  writeFileSync(join(dataDir, 'postgres-location'), dir + '\n')
  return dir
}
