import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { freePort, waitForPort } from './ports.ts'

export function natsServerBin(): string | null {
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) if (existsSync(p)) return p
  return null
}

export type LocalNats = {
  port: number
  url: string
  storeDir: string
  kill: (signal?: NodeJS.Signals) => void
  start: () => Promise<void>
  stop: () => Promise<void>
  destroy: () => Promise<void>
}

/** A private nats-server with JetStream on a random loopback port and its own store dir. */
/** `authConf`: the nats-server include from scripts/infra/nats-auth.ts (every client must then authenticate). */
export async function startLocalNats(opts: { storeDir?: string; port?: number; authConf?: string } = {}): Promise<LocalNats> {
  const bin = natsServerBin()
  if (!bin) throw new Error('nats-server is not installed (apt-get install nats-server)')
  const storeDir = opts.storeDir ?? (await mkdtemp(join(tmpdir(), 'kickmon-nats-')))
  const temporary = !opts.storeDir
  const port = opts.port ?? (await freePort())
  let proc: Subprocess | null = null
  const start = async () => {
    const auth = opts.authConf ? ['-c', opts.authConf] : []
    proc = Bun.spawn([bin, ...auth, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdout: 'ignore', stderr: process.env.NATS_SERVER_LOG ? 'inherit' : 'ignore' })
    await waitForPort(port)
  }
  const stop = async () => {
    if (!proc) return
    const p = proc
    proc = null
    p.kill('SIGTERM')
    await p.exited
  }
  await start()
  process.once('exit', () => {
    proc?.kill('SIGKILL')
    if (temporary) rmSync(storeDir, { recursive: true, force: true })
  })
  return {
    port, url: `nats://127.0.0.1:${port}`, storeDir,
    kill: (signal = 'SIGKILL') => proc?.kill(signal),
    start, stop,
    destroy: async () => {
      await stop()
      if (temporary) await rm(storeDir, { recursive: true, force: true })
    },
  }
}
