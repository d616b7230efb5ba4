// A copy of this checkout (the files git tracks or would track, as they are now, so uncommitted
// work is tested too) in a fresh directory of mode 0700, like a clone in root's home on Debian.
// Tests that run `bun run start` use it, so they never read or write this checkout's .data/.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ROOT } from '../../scripts/infra/processes.ts'
import { atRunEnd } from './run-end.ts'

export type CheckoutCopy = { root: string; remove: () => void }

export async function privateCheckoutCopy(): Promise<CheckoutCopy> {
  const parent = mkdtempSync(join(tmpdir(), 'kickmon-home-'))
  chmodSync(parent, 0o700)
  const root = join(parent, 'kickmon')
  const listed = await Bun.$`git ls-files -z --cached --others --exclude-standard`.cwd(ROOT).quiet().text()
  for (const file of listed.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue // deleted in the work tree
    mkdirSync(dirname(join(root, file)), { recursive: true })
    cpSync(join(ROOT, file), join(root, file))
  }
  // What the Quick start's bootstrap does; Bun's cache makes it quick and offline.
  const install = Bun.spawnSync(['bun', 'install', '--frozen-lockfile'], { cwd: root, stdout: 'pipe', stderr: 'pipe' })
  if (install.exitCode !== 0) throw new Error(`bun install in the copy failed: ${install.stderr.toString()}`)
  const remove = () => rmSync(parent, { recursive: true, force: true })
  atRunEnd(remove)
  return { root, remove }
}
