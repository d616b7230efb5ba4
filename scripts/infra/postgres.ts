import { existsSync, readdirSync, mkdirSync, chownSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalServer, type LocalServer } from './local-server.ts'
import { freePort, waitForPort } from './ports.ts'

/** Debian's PostgreSQL binaries (highest installed major), or null when not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const majors = readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
  return majors[0] ? join(root, majors[0], 'bin') : null
}

// PostgreSQL refuses to run as root; as root we run it as the `postgres` system user.
// setpriv execs in place (runuser would fork and not pass signals on), so the process we
// hold is postgres itself: stop and kill -9 reach it, and nothing is left orphaned.
const asRoot = process.getuid?.() === 0
function cmd(bin: string, args: string[]) {
  return asRoot ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--', bin, ...args] : [bin, ...args]
}

export type LocalPostgres = LocalServer & {
  port: number
  dataDir: string
  adminUrl: string
  url: (db: string) => string
}

/**
 * A private PostgreSQL cluster on a random loopback port: tests and the demo never touch
 * a server someone else uses. `fast` trades durability for speed (tests only).
 */
export async function startLocalPostgres(opts: { dataDir?: string; port?: number; fast?: boolean } = {}): Promise<LocalPostgres> {
  const bin = postgresBinDir()
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)')
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'kickmon-pg-')))
  mkdirSync(dataDir, { recursive: true })
  if (asRoot) {
    const pw = await Bun.$`id -u postgres`.text()
    const gr = await Bun.$`id -g postgres`.text()
    chownSync(dataDir, Number(pw), Number(gr))
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    // cwd: the postgres user may not be able to enter ours (a checkout under a 0700 home).
    const init = Bun.spawnSync(cmd(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']), { cwd: dataDir, stderr: 'pipe', stdout: 'pipe' })
    if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr.toString()}`)
  }
  const port = opts.port ?? (await freePort())
  const settings = ['-c', 'listen_addresses=127.0.0.1', '-p', String(port), '-k', dataDir, '-c', 'max_connections=200']
  if (opts.fast) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off')
  const server = await startLocalServer({
    spawn: () => Bun.spawn(cmd(join(bin, 'postgres'), ['-D', dataDir, ...settings]), { cwd: dataDir, stdout: 'ignore', stderr: 'pipe' }),
    ready: async () => {
      await waitForPort(port)
      // The port opens a moment before the server accepts logins.
      for (let i = 0; i < 100; i++) {
        const r = Bun.spawnSync([join(bin, 'pg_isready'), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'])
        if (r.exitCode === 0) return
        await Bun.sleep(50)
      }
      throw new Error('PostgreSQL did not become ready')
    },
    stopSignal: 'SIGINT', // "fast" shutdown
    dataDir,
    temporary: !opts.dataDir,
  })
  return {
    ...server,
    port,
    dataDir,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
  }
}
