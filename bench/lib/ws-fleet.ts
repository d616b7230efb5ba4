import { join } from 'node:path'
import { ClientProcs } from './client-procs.ts'
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

export class WsFleet {
  private constructor(private readonly procs: ClientProcs<FleetRequest, FleetReply>) {}

  /** `procs` client processes (more than one when one process cannot keep up with the fan-out). */
  static async spawn(procs = 1): Promise<WsFleet> {
    const prof = process.env.WS_PROF ? ['--cpu-prof-md', '--cpu-prof-dir=/tmp/wsprof'] : [] // profiling the clients themselves
    return new WsFleet(await ClientProcs.spawn(['bun', ...prof, join(import.meta.dir, '..', 'ws-clients.ts')], procs))
  }

  get pids(): number[] {
    return this.procs.pids
  }

  async start(url: string, cookie: string, clients: number, slugs: string[]) {
    const t0 = performance.now()
    const r = await this.procs.askAll((i) => ({ type: 'start', url, cookie, clients: this.procs.share(i, clients), slugs }), 'ready')
    return { clients: r.reduce((n, x) => n + x.clients, 0), ms: performance.now() - t0 }
  }

  /** Fire-and-forget: the clients match fragments that arrived before this message too. */
  expect(changes: Change[]) {
    this.procs.tell({ type: 'expect', changes })
  }

  async report(): Promise<FleetReport> {
    const parts = await this.procs.askAll({ type: 'report' }, 'report')
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
    const r = await this.procs.askAll({ type: 'progress' }, 'progress')
    return Math.max(...r.map((x) => x.incomplete))
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
    await this.procs.askAll({ type: 'reset' }, 'ok')
  }

  async stop() {
    await this.procs.stop({ type: 'stop' })
  }
}
