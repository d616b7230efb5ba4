// Terminal text: styles, width-aware truncation and sanitising of untrusted strings.

export type Style = (s: string) => string
export type Styles = Record<'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta' | 'inverse' | 'highlight', Style>

const sgr = (open: string, close: string): Style => (s) => `\x1b[${open}m${s}\x1b[${close}m`
const plainStyle: Style = (s) => s

export function styles(enabled: boolean): Styles {
  if (!enabled)
    return { bold: plainStyle, dim: plainStyle, red: plainStyle, green: plainStyle, yellow: plainStyle, cyan: plainStyle, magenta: plainStyle, inverse: plainStyle, highlight: plainStyle }
  return {
    bold: sgr('1', '22'), dim: sgr('2', '22'), red: sgr('31', '39'), green: sgr('32', '39'), yellow: sgr('33', '39'),
    cyan: sgr('36', '39'), magenta: sgr('35', '39'), inverse: sgr('7', '27'), highlight: sgr('30;43', '39;49'),
  }
}

/**
 * Streamer titles, names and categories come from strangers: drop control characters
 * (an ESC could repaint or retitle the terminal) and bidi overrides (which reorder what
 * is shown), and fold newlines to spaces.
 */
export function clean(s: string | null | undefined): string {
  if (!s) return ''
  return s.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
}

export const width = (s: string) => Bun.stringWidth(s)

const segmenter = new Intl.Segmenter()

/** Cut to at most `max` columns (wide characters count double), ending in "…" when cut. */
export function truncate(s: string, max: number): string {
  if (max <= 0) return ''
  if (width(s) <= max) return s
  let out = ''
  let w = 0
  for (const { segment } of segmenter.segment(s)) {
    const sw = width(segment)
    if (w + sw > max - 1) break
    out += segment
    w += sw
  }
  return out + '…'
}

/** Pad to `n` columns (ANSI styles and wide characters measured correctly). */
export function pad(s: string, n: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, n - width(s)))
  return align === 'right' ? fill + s : s + fill
}
