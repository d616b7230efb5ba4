import type { Subprocess } from 'bun'
import { join } from 'node:path'
import { bundleFor } from './bundles.ts'
import { forEachPiece } from './stream-pieces.ts'

export const ROOT = join(import.meta.dir, '..', '..')
export type ServiceName = 'auth' | 'poller' | 'gateway' | 'notifier' | 'kick-sim' | 'notify-sim'
export const ENTRY: Record<ServiceName, string> = {
  auth: 'services/auth/src/main.ts',
  poller: 'services/poller/src/main.ts',
  gateway: 'services/gateway/src/main.ts',
  notifier: 'services/notifier/src/main.ts',
  'kick-sim': 'services/kick-sim/src/main.ts',
  'notify-sim': 'services/notify-sim/src/main.ts',
}

let fromBundles = false
/**
 * From now on, run services from their bundles (.build/, built first with buildBundles()) rather
 * than their sources: `bun run start` and bench/memory.ts do, tests do not (no build step).
 */
export function runFromBundles(on = true) {
  fromBundles = on
}

/** What runs an entry point: its bundle when bundles are in use and it has one, else its source. */
export function commandFor(entry: string): string[] {
  return ['bun', (fromBundles && bundleFor(entry)) || join(ROOT, entry)]
}

export type LineSink = (service: ServiceName, line: string) => void

/**
 * A service run as its own process (as in production), restarted with back-off when it
 * dies unexpectedly. `kill` is for fault tests: the supervisor brings it back.
 */
export class SupervisedProcess {
  private proc: Subprocess | null = null
  private stopping = false
  private restarts = 0
  exits: { code: number | null; signal: string | null; at: number }[] = []
  /** Its last lines, for the message when it never becomes ready. */
  readonly lastLines: string[] = []

  constructor(
    readonly name: ServiceName,
    private readonly env: Record<string, string | undefined>,
    private readonly sink: LineSink,
    private readonly restart = true,
    /** Another entry point than the service's own (scripts/one-process.ts runs all three). */
    private readonly entry = ENTRY[name],
  ) {}

  get pid() {
    return this.proc?.pid ?? null
  }

  start() {
    this.stopping = false
    const proc = Bun.spawn(commandFor(this.entry), {
      cwd: ROOT, env: this.env as Record<string, string>, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore',
    })
    this.proc = proc
    const startedAt = Date.now()
    void this.pipe(proc.stdout)
    void this.pipe(proc.stderr)
    void proc.exited.then((code) => {
      this.exits.push({ code, signal: proc.signalCode ? String(proc.signalCode) : null, at: Date.now() })
      if (this.proc === proc) this.proc = null
      // Like systemd's Restart=on-failure: a clean exit (0) means someone asked it to stop.
      if (this.stopping || !this.restart || (code === 0 && !proc.signalCode)) return
      // A process that ran for a while before failing starts the back-off over.
      if (Date.now() - startedAt > 30_000) this.restarts = 0
      const wait = Math.min(5000, 250 * 2 ** Math.min(this.restarts++, 4))
      this.sink(this.name, JSON.stringify({ level: 'warn', msg: `exited (${proc.signalCode ?? code}); restarting in ${wait} ms` }))
      setTimeout(() => !this.stopping && !this.proc && this.start(), wait)
    })
  }

  private async pipe(stream: ReadableStream<Uint8Array>) {
    const put = (line: string) => {
      if (!line.trim()) return
      this.lastLines.push(line)
      if (this.lastLines.length > 20) this.lastLines.shift()
      this.sink(this.name, line)
    }
    put(await forEachPiece(stream, '\n', put))
  }

  kill(signal: NodeJS.Signals = 'SIGKILL') {
    this.proc?.kill(signal)
  }

  async stop(timeoutMs = 15_000) {
    this.stopping = true
    const p = this.proc
    if (!p) return
    p.kill('SIGTERM')
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
    await p.exited
    clearTimeout(t)
  }
}

/**
 * Resolves when `url` answers 200 (or rejects after the timeout). With `service`, the JSON
 * answer must name it, so a stray process on the same port cannot pass for ours.
 */
export async function waitForHttp(url: string, timeoutMs = 30_000, service?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) })
      const body = service ? ((await r.json().catch(() => ({}))) as { service?: string }) : null
      if (r.ok && (!service || body?.service === service)) return
      last = body && body.service !== service ? `answered by ${body.service ?? 'something else'}, not ${service}` : `HTTP ${r.status}`
    } catch (e) {
      last = (e as Error).message
    }
    await Bun.sleep(100)
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`)
}
