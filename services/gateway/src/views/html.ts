import { escapeHtml } from '@kickmon/shared/escape-html'

export { escapeHtml }

// A tagged template that escapes every interpolation; nested `html` results and arrays
// of them pass through. Streamer-supplied text (titles, names, bios) can never become markup.
const SAFE = Symbol('safe-html')
export type Html = { [SAFE]: true; value: string; toString(): string }

export function raw(value: string): Html {
  return { [SAFE]: true, value, toString: () => value }
}

function render(v: unknown): string {
  if (v === null || v === undefined || v === false) return ''
  if (Array.isArray(v)) return v.map(render).join('')
  if (typeof v === 'object' && SAFE in (v as object)) return (v as Html).value
  return escapeHtml(String(v))
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!
  return raw(out)
}
