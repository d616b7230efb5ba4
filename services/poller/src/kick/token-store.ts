import { KickApiError } from './errors.ts'

type Token = { value: string; expiresAt: number }

/**
 * The app access token (client_credentials, docs/kick-api.md#app-token): fetched once, shared by
 * every caller, renewed before it expires, and dropped on a 401 so the next call renews
 * (reading the secret again: see client-secret.ts).
 */
export class TokenStore {
  private token: Token | null = null
  private inflight: Promise<string> | null = null

  constructor(
    private readonly authUrl: string,
    private readonly clientId: string,
    /** A function is asked at every token request, so a rotated secret is used from the next token on. */
    private readonly clientSecret: string | (() => Promise<string>),
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async get(): Promise<string> {
    // Renew a minute early (or at 80% of a short lifetime) so no call races expiry.
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value
    this.inflight ??= this.fetchToken().finally(() => (this.inflight = null))
    return this.inflight
  }

  invalidate(value?: string) {
    if (!value || this.token?.value === value) this.token = null
  }

  private async fetchToken(): Promise<string> {
    const secret = typeof this.clientSecret === 'string' ? this.clientSecret : await this.clientSecret()
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.clientId, client_secret: secret })
    let res: Response
    try {
      res = await this.fetchImpl(new URL('/oauth/token', this.authUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      })
    } catch (e) {
      throw new KickApiError('network', null, `token request failed: ${(e as Error).message}`)
    }
    const text = await res.text()
    if (!res.ok) {
      const kind = res.status === 429 ? 'rate_limited' : res.status >= 500 ? 'server' : 'unauthorized'
      throw new KickApiError(kind, res.status, `token request rejected (${res.status}): check KICK_CLIENT_ID/KICK_CLIENT_SECRET`)
    }
    let json: { access_token?: unknown; expires_in?: unknown }
    try {
      json = JSON.parse(text)
    } catch {
      throw new KickApiError('bad_response', res.status, 'token response is not JSON')
    }
    if (typeof json.access_token !== 'string') throw new KickApiError('bad_response', res.status, 'token response has no access_token')
    const lifetimeS = Number(json.expires_in) > 0 ? Number(json.expires_in) : 3600
    const margin = Math.min(60, lifetimeS * 0.2)
    this.token = { value: json.access_token, expiresAt: Date.now() + (lifetimeS - margin) * 1000 }
    return this.token.value
  }
}
