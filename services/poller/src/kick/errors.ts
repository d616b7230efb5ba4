// How a call to Kick failed; decides retry, back-off and what the health report says.
export type KickFailure = 'unauthorized' | 'rate_limited' | 'server' | 'network' | 'timeout' | 'bad_request' | 'blocked' | 'bad_response'

export class KickApiError extends Error {
  constructor(
    readonly kind: KickFailure,
    readonly status: number | null,
    message: string,
    readonly retryAfterS: number | null = null,
  ) {
    super(message)
    this.name = 'KickApiError'
  }
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'server' || this.kind === 'network' || this.kind === 'timeout'
  }
}

/** `Retry-After` as seconds or an HTTP date (RFC 9110); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  const t = Date.parse(value)
  return Number.isNaN(t) ? null : Math.max(0, Math.ceil((t - now) / 1000))
}

/** Cloudflare challenge or Kick's WAF page (docs/kick-api.md#blocks). */
export function isBlocked(status: number, headers: Headers, body: string): boolean {
  if (![403, 429, 503].includes(status)) return false
  if (headers.get('cf-mitigated') === 'challenge') return true
  if (body.includes('<title>Just a moment...</title>') || body.includes('_cf_chl_opt')) return true
  return status === 403 && body.includes('Request blocked by security policy')
}

/** Kick's cap on event subscriptions per app (docs/kick-api.md#subscriptions). */
export function isSubscriptionCap(e: unknown): boolean {
  return e instanceof KickApiError && e.kind === 'bad_request' && /subscription limit reached/i.test(e.message)
}
