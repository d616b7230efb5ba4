import { forwardedOf } from '../http/forwarded.ts'

// Over HTTPS the session cookie is `__Host-` + Secure; on plain-HTTP localhost (the demo)
// browsers refuse Secure cookies, so it falls back to a plain name. Both are HttpOnly + SameSite.
// Over HTTPS only the `__Host-` name is read: anyone able to plant a cookie for the site (a
// sibling subdomain, a plain-HTTP response) can set the unprefixed one, never a `__Host-` one.
export const COOKIE_SECURE = '__Host-kickmon_session'
export const COOKIE_PLAIN = 'kickmon_session'

/** HTTPS directly, or per X-Forwarded-Proto from a trusted proxy (http/forwarded.ts). */
export function isHttps(req: Request): boolean {
  return forwardedOf(req)?.https ?? new URL(req.url).protocol === 'https:'
}

export function sessionToken(req: Request): string | undefined {
  const header = req.headers.get('cookie')
  if (!header) return undefined
  const https = isHttps(req)
  let plain: string | undefined
  for (const part of header.split(/;\s*/)) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq)
    const value = name === COOKIE_SECURE || name === COOKIE_PLAIN ? decoded(part.slice(eq + 1)) : undefined
    if (value === undefined) continue
    if (name === COOKIE_SECURE) return value
    if (!https) plain = value
  }
  return plain
}

/** A value that is not valid percent-encoding (e.g. `%ED%A0%80`) is no session, not a 500. */
function decoded(v: string): string | undefined {
  try {
    return decodeURIComponent(v)
  } catch {
    return undefined
  }
}

export function sessionCookie(req: Request, token: string, maxAgeS: number): string {
  const secure = isHttps(req)
  const name = secure ? COOKIE_SECURE : COOKIE_PLAIN
  return `${name}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(maxAgeS)}${secure ? '; Secure' : ''}`
}

export function clearSessionCookies(): string[] {
  return [
    `${COOKIE_SECURE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure`,
    `${COOKIE_PLAIN}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
  ]
}
