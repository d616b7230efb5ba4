import { categoryName, uptime } from '../describe.ts'
import { clock, num, viewerCount } from '../format.ts'
import { clean, pad, truncate, width, type Styles } from '../text.ts'
import type { Board, Row } from './board.ts'

export const HIGHLIGHT_MS = 4000

export type FrameOptions = {
  width: number
  height: number
  now: number
  connection: 'connected' | 'reconnecting' | 'loading'
  scroll: number
  s: Styles
}

type Col = { header: string; w: number; align?: 'right'; cell: (r: Row) => { text: string; hot: boolean; style?: (s: string) => string } }

/** One frame as lines (each at most `width` columns). Pure, so it is tested without a terminal. */
export function renderFrame(board: Board, o: FrameOptions): { lines: string[]; scroll: number } {
  const { s, now } = o
  const hot = (r: Row, ...kinds: (keyof Row['changedAt'])[]) => kinds.some((k) => now - (r.changedAt[k] ?? -Infinity) < HIGHLIGHT_MS)
  const rows = board.sorted()
  const slugW = Math.min(24, Math.max(8, ...rows.map((r) => width(clean(r.status.slug)))))
  const cols: Col[] = [
    {
      header: 'STATE', w: 8,
      cell: (r) => ({
        text: r.status.live ? '● LIVE' : r.status.stale ? '◌ stale' : '○ off',
        hot: hot(r, 'live', 'offline', 'new', 'stale', 'fresh'),
        style: r.status.stale ? s.yellow : r.status.live ? s.green : s.dim,
      }),
    },
    { header: 'STREAMER', w: slugW, cell: (r) => ({ text: clean(r.status.slug), hot: hot(r, 'new') }) },
    {
      header: 'VIEWERS', w: 10, align: 'right',
      cell: (r) => {
        const h = hot(r, 'viewers')
        const arrow = h && r.delta ? (r.delta > 0 ? '▲' : '▼') : ' '
        return { text: r.status.live ? `${viewerCount(r.status.viewers)} ${arrow}` : '- ', hot: h && r.status.live, style: h ? (r.delta > 0 ? s.green : s.red) : undefined }
      },
    },
    { header: 'UPTIME', w: 8, align: 'right', cell: (r) => ({ text: uptime(r.status, now) || '-', hot: false }) },
    { header: 'CATEGORY', w: 18, cell: (r) => ({ text: r.status.live ? categoryName(r.status) : '', hot: hot(r, 'category') }) },
    { header: 'TITLE', w: 0, cell: (r) => ({ text: r.status.live ? clean(r.status.title) : '', hot: hot(r, 'title') }) },
  ]
  // Narrow terminals lose category, then uptime; the title takes what is left.
  let shown = cols
  const fixed = () => shown.reduce((n, c) => n + c.w + 1, 0)
  if (o.width - fixed() < 12) shown = shown.filter((c) => c.header !== 'CATEGORY')
  if (o.width - fixed() < 12) shown = shown.filter((c) => c.header !== 'UPTIME')
  const titleW = Math.max(0, o.width - fixed())
  const widthOf = (c: Col) => (c.header === 'TITLE' ? titleW : c.w)

  const fit = (text: string, c: Col) => pad(truncate(text, widthOf(c)), widthOf(c), c.align)
  const line = (r: Row) =>
    shown
      .map((c) => {
        const { text, hot: isHot, style } = c.cell(r)
        const t = fit(text, c)
        return isHot ? s.highlight(t) : style ? style(t) : t
      })
      .join(' ')

  const { total, live, stale } = board.counts()
  const conn = o.connection === 'connected' ? s.green('● connected') : o.connection === 'loading' ? s.yellow('◌ loading') : s.red('✕ NATS lost, reconnecting…')
  const left = ` ${s.bold('kickmon watch')}  ${num(total)} streamers · ${s.green(`${num(live)} live`)}${stale ? ` · ${s.yellow(`${num(stale)} stale`)}` : ''}`
  const right = `${conn}  ${clock(new Date(now))} `
  const header = left + ' '.repeat(Math.max(1, o.width - width(left) - width(right))) + right
  const colHeader = s.bold(shown.map((c) => fit(c.header, c)).join(' '))

  const bodyH = Math.max(1, o.height - 4)
  const maxScroll = Math.max(0, rows.length - bodyH)
  const scroll = Math.min(Math.max(0, o.scroll), maxScroll)
  const body = rows.slice(scroll, scroll + bodyH).map(line)
  if (!rows.length) body.push(s.dim(o.connection === 'loading' ? ' reading the current status…' : ' no streamers monitored yet (kickmon streamers add <slug>)'))
  const range = rows.length > bodyH ? `${scroll + 1}–${Math.min(rows.length, scroll + bodyH)} of ${rows.length}` : ''
  const footL = ` ${s.dim('q quit')}${rows.length > bodyH ? s.dim(' · ↑↓ PgUp PgDn scroll') : ''}`
  const footer = footL + ' '.repeat(Math.max(1, o.width - width(footL) - width(range) - 1)) + range

  const lines = [header, '', colHeader, ...body]
  while (lines.length < o.height - 1) lines.push('')
  lines.push(footer)
  return { lines: lines.slice(0, o.height).map((l) => truncateStyled(l, o.width)), scroll }
}

/** Lines are built to fit; this is the last guard against a wrap that would scroll the screen. */
function truncateStyled(line: string, max: number): string {
  return width(line) <= max ? line : truncate(line.replace(/\x1b\[[0-9;]*m/g, ''), max)
}
