import { existsSync } from 'node:fs'
import { z } from 'zod'
import { command, type Group } from '../command.ts'
import type { Ctx } from '../context.ts'
import { CliError, Exit } from '../exit-codes.ts'
import { localTime } from '../format.ts'

// Drives the systemd units from deploy/systemd (docs/operations.md) through systemctl.

const SERVICES = ['poller', 'auth', 'gateway'] as const
const Names = z.array(z.enum(SERVICES, { error: `a service is one of ${SERVICES.join(', ')}` }))
const unitOf = (name: string) => `kickmon-${name}.service`
const TARGET = 'kickmon.target'

/** systemctl, or a clear "unavailable" when this machine is not run by systemd. */
function systemctl(): string {
  const override = process.env.KICKMON_SYSTEMCTL // where systemctl is elsewhere (and for tests)
  if (override) return override
  const bin = Bun.which('systemctl')
  if (!bin || !existsSync('/run/systemd/system'))
    throw new CliError(
      Exit.UNAVAILABLE,
      'systemd is not running on this machine, so there are no kickmon units to drive; use "bun run start" or "docker compose up" instead (docs/operations.md)',
    )
  return bin
}

async function run(args: string[]): Promise<string> {
  const proc = Bun.spawn([systemctl(), '--no-ask-password', ...args], { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
  const timer = setTimeout(() => proc.kill(), 120_000)
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  clearTimeout(timer)
  if (code === 0) return out
  const msg = err.trim().split('\n')[0] || `systemctl ${args.join(' ')} exited ${code}`
  if (/access denied|authentication required|permission denied/i.test(err)) throw new CliError(Exit.DENIED, `${msg} (run as root or with sudo)`)
  if (/not (be )?found|not loaded|does not exist/i.test(err)) throw new CliError(Exit.NOT_FOUND, `${msg}: are the units installed? (docs/operations.md)`)
  throw new CliError(Exit.FAILURE, `${msg} (journalctl -u 'kickmon-*' shows why)`)
}

type UnitState = { unit: string; load: string; active: string; sub: string; pid: number; since: string | null; restarts: number; result: string }

const PROPS = ['Id', 'LoadState', 'ActiveState', 'SubState', 'MainPID', 'ActiveEnterTimestamp', 'NRestarts', 'Result']

/** `systemctl show` prints KEY=value blocks separated by blank lines, one per unit. */
export function parseShow(text: string): UnitState[] {
  return text
    .trim()
    .split(/\n\s*\n/)
    .filter((b) => b.trim())
    .map((block) => {
      const p = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
      const since = p.ActiveEnterTimestamp && p.ActiveEnterTimestamp !== 'n/a' ? new Date(p.ActiveEnterTimestamp.replace(/^\w{3} /, '')) : null
      return {
        unit: p.Id ?? '?', load: p.LoadState ?? '?', active: p.ActiveState ?? '?', sub: p.SubState ?? '?',
        pid: Number(p.MainPID ?? 0), since: since && !Number.isNaN(since.getTime()) ? since.toISOString() : null,
        restarts: Number(p.NRestarts ?? 0), result: p.Result ?? '',
      }
    })
}

async function states(units: string[]): Promise<UnitState[]> {
  return parseShow(await run(['show', `--property=${PROPS.join(',')}`, ...units]))
}

function printStates(ctx: Ctx, rows: UnitState[]) {
  const { s } = ctx.out
  ctx.out.table(
    [
      { header: 'UNIT', get: (r) => r.unit },
      { header: 'STATE', get: (r) => (r.load === 'not-found' ? 'not installed' : `${r.active} (${r.sub})`), style: (v, r) => (r.active === 'active' ? s.green(v) : r.active === 'failed' ? s.red(v) : s.yellow(v)) },
      { header: 'PID', get: (r) => (r.pid ? String(r.pid) : '-'), align: 'right' },
      { header: 'SINCE', get: (r) => localTime(r.since) },
      { header: 'RESTARTS', get: (r) => String(r.restarts), align: 'right' },
    ],
    rows,
  )
}

const targetOrUnits = (list: string[]) => (list.length ? list.map(unitOf) : [TARGET])

const action = (verb: 'start' | 'stop' | 'restart') =>
  command({
    name: verb,
    summary: `${verb} every kickmon service (kickmon.target) or the ones named`,
    usage: '[service...]',
    options: {},
    args: Names,
    examples: [`sudo kickmon service ${verb}`, `sudo kickmon service ${verb} poller`],
    run: async (ctx, _o, list) => {
      const units = targetOrUnits(list)
      await run([verb, ...units])
      const after = await states(list.length ? units : SERVICES.map(unitOf))
      if (ctx.json) return ctx.out.data({ action: verb, units: after })
      printStates(ctx, after)
      const want = verb === 'stop' ? 'inactive' : 'active'
      const off = after.filter((u) => u.active !== want && !(want === 'active' && u.active === 'activating'))
      if (off.length) throw new CliError(Exit.FAILURE, `${off.map((u) => u.unit).join(', ')} did not become ${want} (journalctl -u ${off[0]!.unit})`)
    },
  })

const status = command({
  name: 'status',
  summary: "the units' state, main PID, start time and restart count",
  usage: '[service...]',
  description: 'Exits 0 when every unit named is active, 4 when one is not, 3 when a unit is not installed.',
  options: {},
  args: Names,
  examples: ['kickmon service status', 'kickmon service status gateway --json'],
  run: async (ctx, _o, list) => {
    const rows = await states((list.length ? list : [...SERVICES]).map(unitOf))
    if (ctx.json) ctx.out.data(rows)
    else printStates(ctx, rows)
    if (rows.some((r) => r.load === 'not-found')) return Exit.NOT_FOUND
    return rows.every((r) => r.active === 'active') ? Exit.OK : Exit.UNAVAILABLE
  },
})

export const serviceGroup: Group = {
  name: 'service',
  summary: 'the systemd units: start, stop, restart, status',
  description: 'For installs with deploy/systemd. Starting and stopping needs root (or polkit rights).',
  commands: [action('start'), action('stop'), action('restart'), status],
}
