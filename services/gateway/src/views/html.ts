import { escapeHtml } from '@kickmon/shared/escape-html'

export { escapeHtml }

// A tagged template that escapes every interpolation; nested `html` results and arrays
// of them pass through. Streamer-supplied text (titles, names, bios) can never become markup.
const SAFE = Symbol('safe-html')
export type Html = { [SAFE]: true; value: string; toString(): string }

// One class rather than an object literal with its own toString closure: a 1,000-row page makes
// ~25,000 of these, and each literal cost an object and a function.
class SafeHtml {
  constructor(readonly value: string) {}
  toString() {
    return this.value
  }
}
Object.defineProperty(SafeHtml.prototype, SAFE, { value: true })

export function raw(value: string): Html {
  return new SafeHtml(value) as unknown as Html
}

/**
 * `s` in one buffer, for a string kept for long. JavaScriptCore keeps a string made by `+` as a
 * rope (a tree of its pieces: ~50 cells and their small strings for a dashboard row, twice the
 * row's own bytes) until something reads its characters; reading them joins it in place.
 */
export function flatten(s: string): string {
  s.indexOf('<')
  return s
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
