// Number, date and duration formatting shared by pages, fragments and CSV.
const int = new Intl.NumberFormat('en-US')
const dec1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })

export const fmtInt = (n: number) => int.format(Math.round(n))
export const fmtDec = (n: number) => dec1.format(n)

export function fmtDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60)
  if (d) return `${d}d ${h}h`
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`
  return `${m}m ${String(s % 60).padStart(2, '0')}s`
}

/** `2026-07-01 14:05 UTC`: unambiguous, sortable, no locale surprises. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '–'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return '–'
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never'
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : s < 86400 ? `${Math.floor(s / 3600)}h ago` : `${Math.floor(s / 86400)}d ago`
}
