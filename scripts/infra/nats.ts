import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalServer, type LocalServer } from './local-server.ts'
import { freePort, waitForPort } from './ports.ts'

export function natsServerBin(): string | null {
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) if (existsSync(p)) return p
  return null
}

export type LocalNats = LocalServer & { port: number; url: string; storeDir: string }

/**
 * A private nats-server with JetStream on a random loopback port and its own store dir.
 * `authConf`: the nats-server include from scripts/infra/nats-auth.ts (every client must then authenticate).
 */
export async function startLocalNats(opts: { storeDir?: string; port?: number; authConf?: string } = {}): Promise<LocalNats> {
  const bin = natsServerBin()
  if (!bin) throw new Error('nats-server is not installed (apt-get install nats-server)')
  const storeDir = opts.storeDir ?? (await mkdtemp(join(tmpdir(), 'kickmon-nats-')))
  const port = opts.port ?? (await freePort())
  const auth = opts.authConf ? ['-c', opts.authConf] : []
  const server = await startLocalServer({
    spawn: () => Bun.spawn([bin, ...auth, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdout: 'ignore', stderr: process.env.NATS_SERVER_LOG ? 'inherit' : 'ignore' }),
    ready: () => waitForPort(port),
    stopSignal: 'SIGTERM',
    dataDir: storeDir,
    temporary: !opts.storeDir,
  })
  return { ...server, port, url: `nats://127.0.0.1:${port}`, storeDir }
}
