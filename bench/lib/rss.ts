import { readdirSync, readFileSync } from 'node:fs'

/** Resident set size of a process in MB (null once it is gone). */
export function rssMb(pid: number): number | null {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}

/** The pid of the nats-server listening on `port` (found through /proc; LocalNats hides its process). */
export function natsServerPid(port: number): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')
      if (argv[0]?.endsWith('nats-server') && argv.includes(String(port))) return Number(d)
    } catch {}
  }
  return null
}

/** Direct children of a process (PostgreSQL's backends under its postmaster). */
export function childPids(ppid: number): number[] {
  const out: number[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(d))
    } catch {}
  }
  return out
}

export type RssSample = { t: number; mb: Record<string, number | null> }

/** Samples the RSS of named processes every `everyMs`; pids are looked up on each sample (restarts change them). */
export class RssSampler {
  readonly samples: RssSample[] = []
  private timer: Timer | null = null
  constructor(private readonly pids: Record<string, () => number | null>) {}

  start(everyMs = 100) {
    const t0 = performance.now()
    this.timer = setInterval(() => {
      const mb: Record<string, number | null> = {}
      for (const [name, pid] of Object.entries(this.pids)) {
        const p = pid()
        mb[name] = p === null ? null : rssMb(p)
      }
      this.samples.push({ t: performance.now() - t0, mb })
    }, everyMs)
  }

  stop() {
    if (this.timer) clearInterval(this.timer)
  }

  /** Values of one process between two times (ms since start). */
  values(name: string, fromMs: number, toMs = Infinity): number[] {
    return this.samples.filter((s) => s.t >= fromMs && s.t <= toMs).map((s) => s.mb[name]).filter((v): v is number => typeof v === 'number')
  }
}

/** CPU seconds (user + system) a process has used so far (null once it is gone). */
export function cpuSeconds(pid: number | null): number | null {
  if (pid === null) return null
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null
  }
}
