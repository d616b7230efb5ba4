import { UrlRefused, answerText } from '../safe-fetch.ts'
import type { SendResult } from './types.ts'

/** Retry-After as seconds or an HTTP date (RFC 9110, section 10.2.3). */
export function retryAfterOf(h: string | null): number | undefined {
  if (!h) return undefined
  const n = Number(h)
  if (Number.isFinite(n) && n >= 0) return n
  const t = Date.parse(h)
  return Number.isNaN(t) ? undefined : Math.max(0, (t - Date.now()) / 1000)
}

/** What any HTTP provider's answer means when the provider has nothing more specific to say. */
export function classify(res: Response, answer: string): SendResult {
  const base = { status: res.status, answer: trimAnswer(answer) }
  if (res.ok) return { ok: true, error: null, ...base }
  if (res.status === 429) return { ok: false, error: 'rate limited', retryAfterS: retryAfterOf(res.headers.get('retry-after')) ?? 5, ...base }
  if (res.status >= 500 || res.status === 408) return { ok: false, error: `provider error ${res.status}`, ...base }
  return { ok: false, error: `refused with ${res.status}`, permanent: true, ...base }
}

export const trimAnswer = (s: string) => (s.length > 2000 ? `${s.slice(0, 2000)}…` : s)

/** A request that never got an answer: refused by the SSRF guard (permanent) or a network error (retry). */
export function networkFailure(e: unknown): SendResult {
  if (e instanceof UrlRefused) return { ok: false, status: null, answer: null, error: `URL refused: ${e.message}`, permanent: true }
  const err = e as Error
  const what = err.name === 'TimeoutError' ? 'no answer within 10 s' : err.message || String(e)
  return { ok: false, status: null, answer: null, error: `request failed: ${what.replace(/\/bot\d+:[\w-]+/g, '/bot<token>').replace(/\/webhooks\/\d+\/[\w-]+/g, '/webhooks/<id>/<token>')}` }
}

export async function readAnswer(res: Response) {
  return answerText(res)
}

export function parseJson(s: string): any {
  try {
    return JSON.parse(s)
  } catch {
    return undefined
  }
}
