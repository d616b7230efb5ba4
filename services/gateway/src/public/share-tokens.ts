import { jwt } from '@elysiajs/jwt'
import { z } from 'zod'
import { ShareTarget, type ShareLink } from '@kickmon/shared/contracts/public'

// Share-link tokens: JWTs made and checked with @elysiajs/jwt under SHARE_LINK_SECRET (never
// the session key), HS256 only, with issuer, audience and expiry. A token names its link (jti),
// creator (sub) and target; whether the link still works is auth's answer, asked on every view.

const ISS = 'kickmon-gateway'
const AUD = 'kickmon-share'

const Claims = z.object({
  jti: z.uuid(),
  sub: z.string().regex(/^\d{1,10}$/),
  tgt: ShareTarget,
  exp: z.number().int(),
})

export type ShareClaims = { id: string; userId: number; target: ShareTarget; exp: number }

export class ShareTokens {
  /** The Elysia plugin itself (routes may `.use()` it); its decorator does the work here too. */
  readonly plugin
  private readonly jwt: { sign(v: Record<string, unknown>): Promise<string>; verify(t?: string, o?: object): Promise<Record<string, unknown> | false> }

  constructor(secret: string) {
    this.plugin = jwt({ name: 'shareLink', secret, alg: 'HS256', iss: ISS, aud: AUD })
    this.jwt = (this.plugin as unknown as { decorator: { shareLink: ShareTokens['jwt'] } }).decorator.shareLink
  }

  sign(link: Pick<ShareLink, 'id' | 'user_id' | 'target' | 'expires_at'>): Promise<string> {
    return this.jwt.sign({ jti: link.id, sub: String(link.user_id), tgt: link.target, exp: Math.floor(Date.parse(link.expires_at) / 1000) })
  }

  /** The claims of a genuine, unexpired token; null for anything else (never says why). */
  async verify(token: string): Promise<ShareClaims | null> {
    if (!token || token.length > 8192) return null
    const payload = await this.jwt.verify(token, { algorithms: ['HS256'], issuer: ISS, audience: AUD, requiredClaims: ['exp', 'jti', 'sub'] })
    if (!payload) return null
    const c = Claims.safeParse(payload)
    if (!c.success) return null
    return { id: c.data.jti, userId: Number(c.data.sub), target: c.data.tgt, exp: c.data.exp }
  }
}
