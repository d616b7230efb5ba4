import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { Histogram, type HistogramJSON } from './histogram.ts'
import type { ShortSummary } from './stats.ts'

// The parent side of bench/ws-clients.ts: spawn one or more client processes, open N
// dashboard sockets among them, announce changes, read back when every client saw them.

export type Change = { id: number; slug: string; live: boolean; t0: number }
export type FleetRequest =
  | { type: 'start'; url: string; cookie: string; clients: number; slugs: string[] }
  | { type: 'expect'; changes: Change[] }
  | { type: 'report' }
  | { type: 'progress' }
  | { type: 'reset' }
  | { type: 'stop' }
type ChildReport = {
  type: 'report'
  clients: number
  connected: number
  reconnects: number
  duplicates: number
  fragments: number
  changes: { id: number; got: number; lastAt: number | null }[]
  pairs: HistogramJSON
}
export type FleetReply =
  | { type: 'hello' }
  | { type: 'ok' }
  | { type: 'progress'; incomplete: number }
  | { type: 'error'; message: string }
  | { type: 'ready'; clients: number; ms: number }
  | ChildReport

/** Per change: how many clients showed it and, when all did, when the last one did (epoch ms). */
export type ChangeArrival = { id: number; got: number; allAt: number | null }
export type FleetReport = {
  clients: number
  connected: number
  reconnects: number
  duplicates: number
  fragments: number
  changes: ChangeArrival[]
  /** Every (change, client) pair's latency. */
  pairs: ShortSummary
}

class Child {
  private waiters: ((m: FleetReply) => void)[] = []
  readonly hello = Promise.withResolvers<void>()
  readonly proc: Subprocess

  constructor() {
    const prof = process.env.WS_PROF ? ['--cpu-prof-md', '--cpu-prof-dir=/tmp/wsprof'] : [] // profiling the clients themselves
    this.proc = Bun.spawn(['bun', ...prof, join(import.meta.dir, '..', 'ws-clients.ts')], {
      stdout: 'inherit',
      stderr: 'inherit',
      ipc: (m: FleetReply) => (m.type === 'hello' ? this.hello.resolve() : this.waiters.shift()?.(m)),
    })
  }

  ask(m: FleetRequest, timeoutMs = 330_000): Promise<FleetReply> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`ws-clients did not answer ${m.type} in ${timeoutMs} ms`)), timeoutMs)
      this.waiters.push((r) => {
        clearTimeout(t)
        if (r.type === 'error') reject(new Error(`ws-clients: ${r.message}`))
        else resolve(r)
      })
      this.proc.send(m)
    })
  }
}

export class WsFleet {
  private constructor(private readonly children: Child[]) {}

  /** `procs` client processes (more than one when one process cannot keep up with the fan-out). */
  static async spawn(procs = 1): Promise<WsFleet> {
    const children = Array.from({ length: procs }, () => new Child())
    await Promise.all(children.map((c) => c.hello.promise))
    return new WsFleet(children)
  }

  get pids(): number[] {
    return this.children.map((c) => c.proc.pid)
  }

  async start(url: string, cookie: string, clients: number, slugs: string[]) {
    const share = (i: number) => Math.floor(clients / this.children.length) + (i < clients % this.children.length ? 1 : 0)
    const t0 = performance.now()
    const r = await Promise.all(this.children.map((c, i) => c.ask({ type: 'start', url, cookie, clients: share(i), slugs })))
    return { clients: r.reduce((n, x) => n + (x as { clients: number }).clients, 0), ms: performance.now() - t0 }
  }

  /** Fire-and-forget: the clients match fragments that arrived before this message too. */
  expect(changes: Change[]) {
    for (const c of this.children) c.proc.send({ type: 'expect', changes } satisfies FleetRequest)
  }

  async report(): Promise<FleetReport> {
    const parts = (await Promise.all(this.children.map((c) => c.ask({ type: 'report' })))) as ChildReport[]
    const clients = parts.reduce((n, p) => n + p.clients, 0)
    const pairs = new Histogram()
    const byId = new Map<number, { got: number; lastAt: number; t0?: number }>()
    for (const p of parts) {
      pairs.merge(p.pairs)
      for (const c of p.changes) {
        const m = byId.get(c.id) ?? { got: 0, lastAt: 0 }
        m.got += c.got
        if (c.lastAt !== null && c.lastAt > m.lastAt) m.lastAt = c.lastAt
        byId.set(c.id, m)
      }
    }
    return {
      clients,
      connected: parts.reduce((n, p) => n + p.connected, 0),
      reconnects: parts.reduce((n, p) => n + p.reconnects, 0),
      duplicates: parts.reduce((n, p) => n + p.duplicates, 0),
      fragments: parts.reduce((n, p) => n + p.fragments, 0),
      changes: [...byId].map(([id, m]) => ({ id, got: m.got, allAt: m.got === clients ? m.lastAt : null })),
      pairs: pairs.summary(),
    }
  }

  /** Changes not yet at every client (cheap; the full report walks every arrival). */
  async incomplete(): Promise<number> {
    const r = await Promise.all(this.children.map((c) => c.ask({ type: 'progress' })))
    return Math.max(...r.map((x) => (x as { incomplete: number }).incomplete))
  }

  /** Waits until every client has every announced change, or the deadline passes. */
  async settle(timeoutMs: number, pollMs = 250): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if ((await this.incomplete()) === 0) return true
      if (Date.now() > deadline) return false
      await Bun.sleep(pollMs)
    }
  }

  async reset() {
    await Promise.all(this.children.map((c) => c.ask({ type: 'reset' })))
  }

  async stop() {
    await Promise.all(
      this.children.map(async (c) => {
        await c.ask({ type: 'stop' }, 10_000).catch(() => {})
        const t = setTimeout(() => c.proc.kill(), 10_000)
        await c.proc.exited
        clearTimeout(t)
      }),
    )
  }
}
