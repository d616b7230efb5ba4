export type FindingKind = '5xx' | 'leak' | 'recorded' | 'no answer' | 'crash'
export type Finding = { kind: FindingKind; target: string; input: string; status?: number | string; detail: string }

/** A short, reproducible description of an input (long values cut, bytes shown escaped). */
export function show(v: unknown, max = 300): string {
  let s: string
  if (v instanceof Uint8Array) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(v.slice(0, max))
    s = `${v.length} bytes: ${JSON.stringify(text)}`
  } else s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v, (_k, x) => (typeof x === 'string' && x.length > 80 ? `${x.slice(0, 80)}…(${x.length} chars)` : x))
  return s.length > max ? `${s.slice(0, max)}…` : s
}

/** Reads at most `limit` bytes or `ms` of a body (an event stream never ends). */
export async function readSome(res: Response, limit = 256 * 1024, ms = 2000): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), ms)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done || !value) break
      chunks.push(value)
      size += value.length
      if (size >= limit) break
    }
  } catch {
    // cancelled by the timer
  } finally {
    clearTimeout(timer)
    void reader.cancel().catch(() => {})
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}
