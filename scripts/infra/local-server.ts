import { rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { Subprocess } from 'bun'

/** A server process of our own (PostgreSQL, nats-server) that a fault test may stop, kill and start again. */
export type LocalServer = {
  kill: (signal?: NodeJS.Signals) => void
  /** Starts it again on the same port and data. */
  start: () => Promise<void>
  stop: () => Promise<void>
  /** Stops it and removes its data directory when that was a temporary one. */
  destroy: () => Promise<void>
}

export type LocalServerOptions = {
  spawn: () => Subprocess
  /** Resolves once the server takes requests. */
  ready: () => Promise<void>
  /** The signal for a clean, quick stop. */
  stopSignal: NodeJS.Signals
  dataDir: string
  temporary: boolean
}

/** Starts the server; when this process exits, a server still running is killed and temporary data removed. */
export async function startLocalServer(o: LocalServerOptions): Promise<LocalServer> {
  let proc: Subprocess | null = null
  const start = async () => {
    proc = o.spawn()
    await o.ready()
  }
  const stop = async () => {
    if (!proc) return
    const p = proc
    proc = null
    p.kill(o.stopSignal)
    await p.exited
  }
  await start()
  process.once('exit', () => {
    proc?.kill('SIGKILL')
    if (o.temporary) rmSync(o.dataDir, { recursive: true, force: true })
  })
  return {
    kill: (signal = 'SIGKILL') => proc?.kill(signal),
    start,
    stop,
    destroy: async () => {
      await stop()
      if (o.temporary) await rm(o.dataDir, { recursive: true, force: true })
    },
  }
}
