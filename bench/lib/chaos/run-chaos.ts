import { BenchStack } from '../bench-stack.ts'
import { check, failures, type CheckResult } from './checker.ts'
import { DashboardTimeline } from './dashboard-timeline.ts'
import type { Fault } from './faults.ts'
import { minHoldS, Storm } from './storm.ts'

export type ChaosOptions = {
  streamers: number
  pollIntervalS: number
  graceS: number
  webhooks: 'on' | 'off'
  /** Longest outage any fault causes (for the hold-time rule in storm.ts). */
  maxFaultS: number
  holdS: [number, number]
  faults: Fault[]
  warmupS: number
  /** Quiet time between one fault's recovery and the next fault. */
  gapS: number
  recoveryTimeoutS: number
  log?: (msg: string) => void
}

/** recovered: back within the normal detection bounds; settled: every streamer right. */
export type FaultOutcome = { fault: string; at: string; outage_ms: number; changes_during: number; recovered_ms: number | null; settled_ms: number | null; error?: string }
export type ChaosReport = {
  options: Omit<ChaosOptions, 'faults' | 'log'> & { faults: string[] }
  changes: number
  faults: FaultOutcome[]
  check: CheckResult
  failures: number
  simDisagrees: string[]
  unexpectedExits: Record<string, number>
  /** The last lines a service printed, for each that exited without being killed. */
  crashLogs: Record<string, string[]>
  dashboardReconnects: number
  ok: boolean
}

/**
 * A storm of streams starting and ending in kick-sim, faults in turn, and a check that
 * PostgreSQL and a dashboard saw every stream exactly once. Recovery after each fault: from
 * the moment the thing is back until the dashboard agrees with kick-sim again on every
 * streamer whose last change is older than a poll interval + the grace window (younger
 * changes are still legitimately on their way).
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? console.log
  const need = minHoldS({ faultS: o.maxFaultS, graceS: o.graceS, intervalS: o.pollIntervalS })
  if (o.holdS[0] < need) throw new Error(`streams and gaps must last ≥ ${need} s (longest fault + grace + 3 poll intervals), got ${o.holdS[0]} s`)
  const b = await BenchStack.start({ streamers: o.streamers, pollIntervalS: o.pollIntervalS, offlineGraceS: o.graceS, webhooks: o.webhooks, monitor: 'seed', durablePostgres: true })
  let dash: DashboardTimeline | null = null
  const storm = new Storm(b.sim, o.holdS)
  try {
    const session = await b.login()
    await b.waitUntilFresh(session, o.streamers)
    dash = new DashboardTimeline(b.wsUrl, () => session.cookie)
    await dash.start()
    const dashboardSince = Date.now()
    await storm.init()
    storm.start()
    log(`storm: ${o.streamers} streamers, streams and gaps of ${o.holdS[0]}–${o.holdS[1]} s (≈${Math.round((o.streamers / ((o.holdS[0] + o.holdS[1]) / 2)) * 10) / 10} changes/s); warming up ${o.warmupS} s`)
    await Bun.sleep(o.warmupS * 1000)

    // Right again: connected, and every streamer whose last change happened before the fault
    // ended is shown as kick-sim has it (fresh, not stale). Changes after that are new traffic.
    // "Within bounds" allows what polling is allowed anyway: a start whose webhook was lost
    // shows within a poll interval, an end within the grace window + an interval (+1 s).
    const consistent = (back: number, strict: boolean) => {
      if (!dash!.connected) return false
      const now = Date.now()
      for (const [slug, t] of storm.truth) {
        if (t.lastChange >= back) continue
        const row = dash!.rows.get(slug)
        if (row && row.live === t.live && !row.stale) continue
        const bound = t.lastChange + (t.live ? o.pollIntervalS : o.pollIntervalS + o.graceS) * 1000 + 1000
        if (strict || now >= bound) return false
      }
      return true
    }
    const outcomes: FaultOutcome[] = []
    for (const f of o.faults) {
      const t0 = Date.now()
      const changesBefore = storm.changes
      let error: string | undefined
      try {
        await f.run(b)
      } catch (e) {
        error = (e as Error).message
      }
      const back = Date.now()
      const during = storm.changes - changesBefore
      let recovered: number | null = null
      let settled: number | null = null
      while (Date.now() - back < o.recoveryTimeoutS * 1000) {
        if (recovered === null && consistent(back, false)) recovered = Date.now() - back
        if (consistent(back, true)) {
          settled = Date.now() - back
          recovered ??= settled
          break
        }
        await Bun.sleep(100)
      }
      outcomes.push({ fault: f.name, at: new Date(t0).toISOString(), outage_ms: back - t0, changes_during: during, recovered_ms: recovered, settled_ms: settled, ...(error ? { error } : {}) })
      const secs = (v: number | null) => (v === null ? `> ${o.recoveryTimeoutS} s` : `${(v / 1000).toFixed(1)} s`)
      log(`  ${f.name.padEnd(28)} outage ${((back - t0) / 1000).toFixed(1)} s (${during} changes meanwhile); dashboard within bounds after ${secs(recovered)}, all right after ${secs(settled)}${error ? ` (fault error: ${error})` : ''}`)
      await Bun.sleep(o.gapS * 1000)
    }

    await storm.stop()
    log(`storm stopped after ${storm.changes} changes; letting the last ones arrive…`)
    // Everything in flight lands within an interval + the grace window; events reach
    // PostgreSQL through JetStream shortly after. Check until clean or out of time.
    let result = await check(b.sql, storm.truth, dash, dashboardSince)
    const deadline = Date.now() + (3 * o.pollIntervalS + o.graceS + 30) * 1000
    while (failures(result) > 0 && Date.now() < deadline) {
      await Bun.sleep(1000)
      result = await check(b.sql, storm.truth, dash, dashboardSince)
    }
    const kills = new Map(o.faults.filter((f) => f.name.startsWith('kill -9 ')).map((f) => [f.name.slice(8), 1]))
    const unexpectedExits: Record<string, number> = {}
    for (const [name, p] of b.stack.procs) {
      const extra = p.exits.length - (kills.get(name) ?? 0)
      if (extra > 0) unexpectedExits[name] = extra
    }
    const crashLogs = Object.fromEntries(Object.keys(unexpectedExits).map((n) => [n, b.logs.filter((l) => l.startsWith(`${n} `)).slice(-15)]))
    const simDisagrees = await storm.verifyAgainstSim()
    const n = failures(result)
    return {
      options: { ...o, faults: o.faults.map((f) => f.name), log: undefined } as ChaosReport['options'],
      changes: storm.changes,
      faults: outcomes,
      check: result,
      failures: n,
      simDisagrees,
      unexpectedExits,
      crashLogs,
      dashboardReconnects: dash.reconnects,
      ok: n === 0 && simDisagrees.length === 0 && Object.keys(unexpectedExits).length === 0 && outcomes.every((x) => !x.error),
    }
  } catch (e) {
    const tail = b.logs.filter((l) => /warn|error|fatal|"level":(40|50|60)/i.test(l)).slice(-30)
    if (tail.length) console.error('last warnings from the services:\n' + tail.map((l) => '  ' + l.slice(0, 400)).join('\n'))
    throw e
  } finally {
    await storm.stop()
    dash?.stop()
    await b.destroy()
  }
}

/** The findings as lines (at most `max` per kind). */
export function describe(r: ChaosReport, max = 10): string[] {
  const out: string[] = []
  const c = r.check
  const kinds: [string, { slug: string; what: string }[]][] = [
    ['LOST', c.lost], ['DOUBLED', c.doubled], ['PHANTOM', c.phantom], ['OUT OF ORDER', c.outOfOrder],
    ['SESSION LOST', c.sessions.lost], ['SESSION DOUBLED', c.sessions.doubled], ['SESSION UNCLOSED', c.sessions.unclosed], ['SESSION CLOSED EARLY', c.sessions.wronglyClosed],
    ['DASHBOARD LOST', c.dashboard.lost], ['DASHBOARD DOUBLED', c.dashboard.doubled], ['DASHBOARD PHANTOM', c.dashboard.phantom], ['STUCK', c.stuck],
  ]
  for (const [k, list] of kinds) {
    for (const f of list.slice(0, max)) out.push(`${k}: ${f.slug}: ${f.what}`)
    if (list.length > max) out.push(`${k}: … and ${list.length - max} more`)
  }
  for (const s of r.simDisagrees.slice(0, max)) out.push(`HARNESS: ${s}`)
  for (const [name, n] of Object.entries(r.unexpectedExits)) {
    out.push(`CRASH: ${name} exited ${n} time(s) nobody killed it; its last lines:`)
    for (const l of r.crashLogs[name] ?? []) out.push(`  ${l.slice(0, 300)}`)
  }
  for (const f of r.faults) if (f.error) out.push(`FAULT FAILED: ${f.fault}: ${f.error}`)
  if (out.length) out.push(`(faults at: ${r.faults.map((f) => `${f.fault} ${f.at}`).join('; ')})`)
  return out
}
