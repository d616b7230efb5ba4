import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * A folder of the checkout that services read at run time (`web/`: the dashboard's files, `sql/`:
 * the migrations), found by walking up from this module's folder. A fixed `../..` from
 * import.meta.dir holds only in the sources: in a bundle (`.build/`, scripts/infra/bundles.ts)
 * import.meta.dir is the bundle's folder whatever module the code came from, and in a compiled
 * binary it is `/$bunfs/root`, whose files the Docker images put at the root (`/web`, `/sql`).
 * Walking up finds the folder in all three. Not found: the path the sources would use, so the
 * error that follows names a sensible place.
 */
export function checkoutDir(name: 'web' | 'sql'): string {
  for (let dir = import.meta.dir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return join(dir, name)
    if (dirname(dir) === dir) return join(import.meta.dir, '..', '..', name)
  }
}
