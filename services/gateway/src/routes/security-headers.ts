import { Elysia } from 'elysia'

// Scripts and styles only from our own origin: no inline script, no eval. Images may be
// data: URLs (avatars are proxied through the gateway, so no third party learns who watches).
const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ')

export const securityHeaders = new Elysia({ name: 'security-headers' }).onRequest(({ set }) => {
  set.headers['content-security-policy'] = CSP
  set.headers['x-content-type-options'] = 'nosniff'
  set.headers['referrer-policy'] = 'same-origin'
  set.headers['x-frame-options'] = 'DENY'
  set.headers['permissions-policy'] = 'camera=(), microphone=(), geolocation=()'
  set.headers['cross-origin-opener-policy'] = 'same-origin'
})
