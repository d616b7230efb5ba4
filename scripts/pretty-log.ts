// Turns the services' JSON log lines into one readable line each for the terminal.
const COLORS: Record<string, string> = { auth: '35', poller: '36', gateway: '32', 'kick-sim': '34' }
const LEVEL: Record<string, string> = { error: '31', fatal: '31', warn: '33' }

export function prettyLine(service: string, line: string, asJson = false): string {
  if (asJson) return line
  try {
    const j = JSON.parse(line) as Record<string, unknown>
    const time = typeof j.time === 'string' ? j.time.slice(11, 19) : new Date().toISOString().slice(11, 19)
    const level = String(j.level ?? 'info')
    const { time: _t, level: _l, msg, service: _s, pid: _p, ...rest } = j
    // The line's own service wins: with ONE_PROCESS=on one process prints for all three.
    if (typeof j.service === 'string' && j.service in COLORS) service = j.service
    const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : ''
    const lc = LEVEL[level] ? `\x1b[${LEVEL[level]}m${level}\x1b[0m ` : ''
    return `${time} \x1b[${COLORS[service] ?? '37'}m${service.padEnd(8)}\x1b[0m ${lc}${msg ?? ''}${extra}`
  } catch {
    return `\x1b[${COLORS[service] ?? '37'}m${service.padEnd(8)}\x1b[0m ${line}`
  }
}
