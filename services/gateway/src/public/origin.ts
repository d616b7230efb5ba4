import { isHttps } from '../identity/cookies.ts'
import { forwardedOf } from '../http/forwarded.ts'

/**
 * The origin the client used, for links handed back to it (share links, embed snippets): behind
 * a trusted proxy (TRUSTED_PROXIES) the host and scheme it forwarded, not the gateway's own.
 */
export function clientOrigin(req: Request): string {
  const url = new URL(req.url)
  return `${isHttps(req) ? 'https' : 'http'}://${forwardedOf(req)?.host ?? url.host}`
}
