import { forwardedOf } from './forwarded.ts'

// Every request gets an id: the caller's `x-request-id` when it looks sane, otherwise a
// fresh one. It goes back in the response header, into the logs and into NATS headers.
const ids = new WeakMap<Request, string>()
const SANE = /^[A-Za-z0-9._:-]{8,64}$/

export function requestIdOf(req: Request): string {
  let id = ids.get(req)
  if (!id) {
    const given = req.headers.get('x-request-id')
    id = given && SANE.test(given) ? given : crypto.randomUUID()
    ids.set(req, id)
  }
  return id
}

/** The client's address: the socket's peer, or what a trusted proxy says (forwarded.ts). */
export function clientIpOf(req: Request, server: { requestIP(r: Request): { address: string } | null } | null | undefined): string | undefined {
  const f = forwardedOf(req)
  const a = f ? f.client : server?.requestIP(req)?.address
  return a && a.length <= 64 ? a : undefined
}
