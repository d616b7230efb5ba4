// Behind a reverse proxy every request comes from the proxy's address. X-Forwarded-For, -Proto
// and -Host say who the client is, whether it used HTTPS and which host it asked for, but any
// client can write them: they are believed only from the peers in TRUSTED_PROXIES, and from
// anyone else ignored (never an error).
import { Elysia } from 'elysia'
import type { GatewayConfig } from '../config.ts'
import { TrustedProxies } from './trusted-proxies.ts'

export type Forwarded = {
  /** The client's address: login throttling, the audit log, session records and rate limits use it. */
  client: string | undefined
  https: boolean
  /** The host the client asked for, when a trusted proxy said so. */
  host: string | null
}

const seen = new WeakMap<Request, Forwarded>()

type Server = { requestIP(r: Request): { address: string } | null } | null | undefined

/** Reads each request's forwarded headers once, before anything else looks at the request. */
export function forwardedHeaders(config: Pick<GatewayConfig, 'TRUSTED_PROXIES'>) {
  const proxies = new TrustedProxies(config.TRUSTED_PROXIES)
  return new Elysia().onRequest(({ request, server }) => {
    seen.set(request, readForwarded(request, (server as Server)?.requestIP(request)?.address, proxies))
  })
}

export function readForwarded(req: Request, peer: string | undefined, proxies: TrustedProxies): Forwarded {
  const direct = new URL(req.url).protocol === 'https:'
  if (peer === undefined || !proxies.has(peer)) return { client: peer === undefined ? undefined : proxies.clientAddress(peer, null), https: direct, host: null }
  const first = (name: string) => req.headers.get(name)?.split(',')[0]?.trim() || null
  const proto = first('x-forwarded-proto')?.toLowerCase()
  const host = first('x-forwarded-host')
  return {
    client: proxies.clientAddress(peer, req.headers.get('x-forwarded-for')),
    https: proto ? proto === 'https' : direct,
    host: host && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? host : null,
  }
}

/** What the forwarded headers of a request (seen by `forwardedHeaders`) say; undefined outside the app. */
export function forwardedOf(req: Request): Forwarded | undefined {
  return seen.get(req)
}
