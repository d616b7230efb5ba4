import { createHash, randomBytes } from 'node:crypto'
import { bearer, invalidRequest, isForm, json, kick } from './http.ts'
import type { Router, TokenInfo } from './router.ts'
import type { World } from './world.ts'

// id.kick.com (docs/kick-api.md#oauth): form-encoded token endpoint, opaque 48-char tokens that
// really expire, revoke with params in the query string, RFC 7662-style introspection.

const SCOPES = new Set([
  'user:read', 'channel:read', 'channel:write', 'channel:rewards:read', 'channel:rewards:write', 'chat:write',
  'streamkey:read', 'events:subscribe', 'moderation:ban', 'moderation:chat_message:manage', 'kicks:read',
])

/** 48 chars of uppercase base64-like text, like Kick's tokens (not JWTs). */
function opaqueToken(): string {
  return randomBytes(36).toString('base64').toUpperCase().replace(/\+/g, 'K').replace(/\//g, 'M')
}

type Grant = { clientId: string; userId: number; scope: string }
type Code = Grant & { redirectUri: string; challenge: string; exp: number }

export type OAuthOptions = { clientId: string; clientSecret: string; tokenTtlS: number; userTokenTtlS: number; clock: () => number }

export class TokenStore {
  private readonly access = new Map<string, TokenInfo>()
  private readonly refresh = new Map<string, Grant>()
  private readonly codes = new Map<string, Code>()
  constructor(readonly opts: OAuthOptions) {}

  issueApp(clientId: string): TokenInfo {
    return this.put({ token: opaqueToken(), clientId, type: 'app', userId: null, scope: '', exp: this.opts.clock() + this.opts.tokenTtlS * 1000 })
  }

  issueUser(g: Grant): { info: TokenInfo; refreshToken: string } {
    const info = this.put({ token: opaqueToken(), clientId: g.clientId, type: 'user', userId: g.userId, scope: g.scope, exp: this.opts.clock() + this.opts.userTokenTtlS * 1000 })
    const refreshToken = opaqueToken()
    this.refresh.set(refreshToken, g)
    return { info, refreshToken }
  }

  /** A live token, or null when unknown, revoked or expired (expired ones are forgotten). */
  lookup(token: string): TokenInfo | null {
    const t = this.access.get(token)
    if (!t) return null
    if (this.opts.clock() >= t.exp) {
      this.access.delete(token)
      return null
    }
    return t
  }

  revoke(token: string): void {
    this.access.delete(token)
    this.refresh.delete(token)
  }

  /** Tests: every issued access token is expired from now on. */
  expireAll(): number {
    const n = this.access.size
    for (const t of this.access.values()) t.exp = this.opts.clock() - 1
    return n
  }

  newCode(c: Code): string {
    const code = randomBytes(30).toString('base64url')
    this.codes.set(code, c)
    return code
  }
  takeCode(code: string): Code | null {
    const c = this.codes.get(code)
    this.codes.delete(code)
    return c && c.exp > this.opts.clock() ? c : null
  }
  refreshGrant(token: string): Grant | null {
    return this.refresh.get(token) ?? null
  }

  private put(t: TokenInfo): TokenInfo {
    if (this.access.size > 50_000) this.sweep()
    this.access.set(t.token, t)
    return t
  }
  private sweep(): void {
    const now = this.opts.clock()
    for (const [k, t] of this.access) if (now >= t.exp) this.access.delete(k)
  }
}

export function oauthRoutes(router: Router, store: TokenStore, world: World): void {
  const o = store.opts
  const credsOk = (f: URLSearchParams): boolean => f.get('client_id') === o.clientId && f.get('client_secret') === o.clientSecret
  const userTokenBody = (info: TokenInfo, refreshToken: string): Response =>
    json({ access_token: info.token, expires_in: o.userTokenTtlS, refresh_token: refreshToken, scope: info.scope, token_type: 'Bearer' })

  router.add('POST', '/oauth/token', 'oauth', async ({ req }) => {
    if (!isForm(req)) return invalidRequest()
    const f = new URLSearchParams(await req.text())
    switch (f.get('grant_type')) {
      case 'client_credentials': {
        if (!credsOk(f)) return invalidRequest()
        const t = store.issueApp(o.clientId)
        // Exactly these three fields for app tokens (kick4j#32).
        return json({ access_token: t.token, expires_in: o.tokenTtlS, token_type: 'Bearer' })
      }
      case 'authorization_code': {
        if (!credsOk(f)) return invalidRequest()
        const code = store.takeCode(f.get('code') ?? '')
        const verifier = f.get('code_verifier') ?? ''
        if (!code || code.redirectUri !== f.get('redirect_uri') || code.challenge !== createHash('sha256').update(verifier).digest('base64url')) {
          return invalidRequest()
        }
        const { info, refreshToken } = store.issueUser(code)
        return userTokenBody(info, refreshToken)
      }
      case 'refresh_token': {
        if (!credsOk(f)) return invalidRequest()
        // Refresh tokens are reusable since 2025-11-25; each use issues a new pair.
        const g = store.refreshGrant(f.get('refresh_token') ?? '')
        if (!g) return invalidRequest()
        const { info, refreshToken } = store.issueUser(g)
        return userTokenBody(info, refreshToken)
      }
      default:
        return invalidRequest()
    }
  })

  // Params in the query string, form content type, plain-text "OK" (docs/kick-api.md#revoke-and-introspect).
  router.add('POST', '/oauth/revoke', 'oauth', ({ req, url }) => {
    const token = url.searchParams.get('token')
    const hint = url.searchParams.get('token_hint_type')
    if (!isForm(req) || !token || (hint !== null && hint !== 'access_token' && hint !== 'refresh_token')) return invalidRequest()
    store.revoke(token)
    return new Response('OK', { headers: { 'content-type': 'text/plain; charset=utf-8' } })
  })

  const introspect = ({ req }: { req: Request }): Response => {
    const raw = bearer(req)
    if (!raw) return kick.unauthorized()
    const t = store.lookup(raw)
    if (!t) return kick.ok({ active: false }) // RFC 7662: inactive carries no other fields
    return kick.ok({ active: true, client_id: t.clientId, token_type: t.type, scope: t.scope, exp: Math.floor(t.exp / 1000) })
  }
  router.add('POST', '/oauth/token/introspect', 'oauth', introspect)
  router.add('POST', '/public/v1/token/introspect', 'api', introspect, { auth: false }) // deprecated 2026-01-15, still answers

  // Authorization code + PKCE. There is no login screen: the simulator consents at once for
  // the channel named by `sim_user` (a simulator extension) or the first channel.
  router.add('GET', '/oauth/authorize', 'oauth', ({ url }) => {
    const q = url.searchParams
    const redirect = q.get('redirect_uri') ?? ''
    const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean)
    let target: URL
    try {
      target = new URL(redirect)
    } catch {
      return invalidRequest()
    }
    const user = q.get('sim_user') ? world.bySlug(q.get('sim_user') ?? '') : world.channels().next().value
    if (
      q.get('client_id') !== o.clientId || q.get('response_type') !== 'code' || !q.get('state') || scopes.length === 0 ||
      !scopes.every((s) => SCOPES.has(s)) || !q.get('code_challenge') || q.get('code_challenge_method') !== 'S256' || !user
    ) {
      return invalidRequest()
    }
    const code = store.newCode({
      clientId: o.clientId, userId: user.userId, scope: scopes.join(' '), redirectUri: redirect,
      challenge: q.get('code_challenge') ?? '', exp: o.clock() + 10 * 60_000,
    })
    target.searchParams.set('code', code)
    target.searchParams.set('state', q.get('state') ?? '')
    return new Response(null, { status: 302, headers: { location: target.toString() } })
  })
}
