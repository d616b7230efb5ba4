import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { atRunEnd } from '../../harness/run-end.ts'
import { natsEnv } from '../../harness/nats-auth.ts'

export const ROOT = join(import.meta.dir, '..', '..', '..')
export const ENTRY = join(ROOT, 'cli', 'src', 'main.ts')

export type Run = { code: number; stdout: string; stderr: string; ms: number }
export type RunOptions = { env?: Record<string, string | undefined>; stdin?: string; timeoutMs?: number; bin?: string[] }

// Outside the repository so Bun's .env auto-loading never feeds a developer's settings in.
const CWD = mkdtempSync(join(tmpdir(), 'kickmon-cli-cwd-'))

/** Only what a clean shell would have, plus the test's own variables. */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'BUN_INSTALL']
  return Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]))
}

let compiled: Promise<string> | null = null
/**
 * The command that runs the CLI: the compiled binary operators install (built once per test
 * run with scripts/build-cli.sh, removed when the run ends), or the source entry with KICKMON_TEST_CLI=source.
 */
export async function cliCommand(): Promise<string[]> {
  if (process.env.KICKMON_TEST_CLI === 'source') return [process.execPath, ENTRY]
  compiled ??= buildBinary().then((bin) => {
    atRunEnd(() => rmSync(dirname(bin), { recursive: true, force: true }))
    return bin
  })
  return [await compiled]
}

/** The same, as a shell command line (for tmux). */
export const cliCommandLine = async () => (await cliCommand()).join(' ')

/** Runs the CLI through its real binary (or another command) like an operator would. */
export async function kickmon(args: string[], o: RunOptions = {}): Promise<Run> {
  const cmd = o.bin ?? (await cliCommand())
  const t0 = performance.now()
  const proc = Bun.spawn([...cmd, ...args], {
    cwd: CWD,
    env: { ...baseEnv(), ...o.env } as Record<string, string>,
    stdin: o.stdin === undefined ? 'ignore' : new Blob([o.stdin]),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => proc.kill('SIGKILL'), o.timeoutMs ?? 60_000)
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  clearTimeout(timer)
  return { code, stdout, stderr, ms: performance.now() - t0 }
}

/** The environment that points the CLI at a stack. */
export function stackEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const pick = ['NATS_URL', 'DATABASE_URL', 'POLLER_PORT', 'AUTH_PORT', 'GATEWAY_PORT'] as const
  // The CLI is the operator's tool: it connects with the operator identity's key.
  return { ...Object.fromEntries(pick.map((k) => [k, env[k]])), ...natsEnv('operator') }
}

export const json = <T = any>(r: Run): T => {
  try {
    return JSON.parse(r.stdout) as T
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`)
  }
}

/** Compiles the CLI like scripts/build-cli.sh does, into a temporary directory. */
export async function buildBinary(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'kickmon-bin-')), 'kickmon')
  const p = Bun.spawn(['bash', join(ROOT, 'scripts', 'build-cli.sh'), out], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
  const [o, e, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  if (code !== 0) throw new Error(`build-cli.sh failed (${code}): ${o}\n${e}`)
  return out
}

/** Runs many CLI invocations a few at a time (the machine has two cores and neighbours). */
export async function runAll<T>(items: T[], fn: (item: T) => Promise<Run>, concurrency = 4): Promise<Run[]> {
  const out: Run[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!)
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return out
}
