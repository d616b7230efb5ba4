// How numbers, durations and times read in human output.

export const num = (n: number) => n.toLocaleString('en-US')
/** A live viewer count; null when the streamer hides it (StreamerStatus.viewers_hidden). */
export const viewerCount = (n: number | null) => (n === null ? 'hidden' : num(n))

/** 42s, 5m 03s, 2h 05m, 3d 04h */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const two = (n: number) => String(n).padStart(2, '0')
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${two(Math.floor((s % 3600) / 60))}m`
  return `${Math.floor(s / 86_400)}d ${two(Math.floor((s % 86_400) / 3600))}h`
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return '?'
  const s = Math.round((now - t) / 1000)
  return s < 1 ? 'just now' : `${duration(s)} ago`
}

/** `2026-07-01 14:03:22` in local time: what an operator compares with their clock. */
export function localTime(iso: string | Date | null | undefined): string {
  if (!iso) return '-'
  const d = typeof iso === 'string' ? new Date(iso) : iso
  if (Number.isNaN(d.getTime())) return '-'
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

export const clock = (d = new Date()) => localTime(d).slice(11)

/** Parses `90s`, `15m`, `6h`, `7d` into seconds. */
export function parseDuration(s: string): number | null {
  const m = /^(\d+)(s|m|h|d)$/.exec(s.trim())
  if (!m) return null
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd']
}
