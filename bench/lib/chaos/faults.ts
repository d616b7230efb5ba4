import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BenchStack } from '../bench-stack.ts'
import { childPids, natsServerPid } from '../rss.ts'

// The faults, each as "do it, then resolve when the thing is back": the time in between is
// the outage, and recovery is measured from the moment it returns.

export type Fault = { name: string; run: (b: BenchStack) => Promise<void> }
type Service = 'poller' | 'auth' | 'gateway'

const readyUrl = (b: BenchStack, s: Service) =>
  s === 'gateway' ? `${b.gatewayUrl}/readyz` : `http://127.0.0.1:${b.stack.env[s === 'poller' ? 'POLLER_PORT' : 'AUTH_PORT']}/readyz`

export async function waitReady(b: BenchStack, s: Service, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = await fetch(readyUrl(b, s), { signal: AbortSignal.timeout(1000) }).catch(() => null)
    if (r?.status === 200) return
    if (Date.now() > deadline) throw new Error(`${s} not ready ${timeoutMs} ms after the fault`)
    await Bun.sleep(50)
  }
}

async function waitGone(pids: number[], timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (pids.some(alive) && Date.now() < deadline) await Bun.sleep(20)
}

function alive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function signal(pids: number[], sig: NodeJS.Signals) {
  for (const p of pids) {
    try {
      process.kill(p, sig)
    } catch {}
  }
}

/** PostgreSQL's postmaster and its backends (the whole server). */
function postgresPids(b: BenchStack): number[] {
  const pid = Number(readFileSync(join(b.pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  return [pid, ...childPids(pid)]
}

/** kill -9; the supervisor restarts the service (as systemd would). */
export const killService = (s: Service): Fault => ({
  name: `kill -9 ${s}`,
  run: async (b) => {
    const p = b.proc(s)
    const old = p.pid
    p.kill('SIGKILL')
    const deadline = Date.now() + 30_000
    while ((p.pid === old || p.pid === null) && Date.now() < deadline) await Bun.sleep(20) // the supervisor brings a new one
    await waitReady(b, s)
  },
})

export const killNats = (downMs: number): Fault => ({
  name: 'kill -9 nats-server',
  run: async (b) => {
    b.nats.kill('SIGKILL')
    await Bun.sleep(downMs)
    await b.nats.start()
  },
})

export const killPostgres = (downMs: number): Fault => ({
  name: 'kill -9 PostgreSQL',
  run: async (b) => {
    // Every process of the server at once, as a crash would; then crash recovery at start.
    const pids = postgresPids(b)
    signal(pids, 'SIGKILL')
    await waitGone(pids)
    await Bun.sleep(downMs)
    await b.pg.start()
  },
})

/** SIGSTOP for `ms`, then SIGCONT: a process that hangs (GC pause, swapped out, debugger) and comes back. */
export const pause = (target: Service | 'nats-server' | 'PostgreSQL', ms: number): Fault => ({
  name: `SIGSTOP ${target} ${ms / 1000} s`,
  run: async (b) => {
    const pids =
      target === 'nats-server' ? [natsServerPid(b.nats.port)!] : target === 'PostgreSQL' ? postgresPids(b) : [b.proc(target).pid!]
    signal(pids, 'SIGSTOP')
    await Bun.sleep(ms)
    signal(pids, 'SIGCONT')
  },
})

/** kick-sim misbehaving for `ms` (PUT /_sim/faults), then healthy again. */
export const simBurst = (name: string, faults: Record<string, unknown>, ms: number): Fault => ({
  name,
  run: async (b) => {
    await b.sim.setFaults(faults)
    await Bun.sleep(ms)
    await b.sim.clearFaults()
  },
})
