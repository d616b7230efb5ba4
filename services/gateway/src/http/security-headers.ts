import { Elysia } from 'elysia'
import { isHttps } from '../identity/cookies.ts'

// Scripts and styles only from our own origin: no inline script, no eval. Images may be
// data: URLs (avatars are proxied through the gateway, so no third party learns who watches).
const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ')
/**
 * HSTS, only in the HTTPS (secure-cookie) mode: over HTTPS the browser then never tries plain
 * HTTP again, so nobody on the path can strip TLS and read the cookie. Never on plain HTTP:
 * browsers ignore it there, and the localhost demo must stay reachable over http://.
 * A year, subdomains included (ASVS 5.0 level 2).
 */
const HSTS = 'max-age=31536000; includeSubDomains'

export const securityHeaders = new Elysia({ name: 'security-headers' }).onRequest(({ request, set }) => {
  if (isHttps(request)) set.headers['strict-transport-security'] = HSTS
  set.headers['content-security-policy'] = CSP
  set.headers['x-content-type-options'] = 'nosniff'
  set.headers['referrer-policy'] = 'same-origin'
  set.headers['x-frame-options'] = 'DENY'
  set.headers['permissions-policy'] = 'camera=(), microphone=(), geolocation=()'
  set.headers['cross-origin-opener-policy'] = 'same-origin'
})
