// TRUSTED_PROXIES: the peers (addresses or CIDRs) whose X-Forwarded-For/-Proto/-Host headers are
// believed. Anyone else's are ignored: a client could otherwise pick its own address and escape
// login throttling, or claim HTTPS.
import { BlockList, isIP } from 'node:net'

export class TrustedProxies {
  private readonly list = new BlockList()
  constructor(readonly entries: string[]) {
    for (const e of entries) {
      const [addr, bits] = e.split('/') as [string, string | undefined]
      const v = isIP(addr)
      if (bits === undefined) this.list.addAddress(addr, v === 6 ? 'ipv6' : 'ipv4')
      else this.list.addSubnet(addr, Number(bits), v === 6 ? 'ipv6' : 'ipv4')
    }
  }

  get none() {
    return this.entries.length === 0
  }

  has(address: string): boolean {
    const a = unmapped(address)
    const v = isIP(a)
    return v !== 0 && this.list.check(a, v === 6 ? 'ipv6' : 'ipv4')
  }

  /**
   * The client of a request that reached us from `peer`: the peer itself unless it is a trusted
   * proxy; then the rightmost X-Forwarded-For address that is not a trusted proxy (the ones to
   * its left were written by the client and prove nothing).
   */
  clientAddress(peer: string, forwardedFor: string | null): string {
    if (!this.has(peer) || !forwardedFor) return unmapped(peer)
    const hops = forwardedFor.split(',').map((s) => unmapped(s.trim()))
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!
      if (isIP(hop) === 0) return unmapped(peer) // garbage in the chain: trust nothing beyond the peer
      if (!this.has(hop)) return hop
    }
    return hops[0] && isIP(hops[0]) ? hops[0] : unmapped(peer) // every hop is a proxy of ours
  }
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
function unmapped(a: string): string {
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a
}

/** One problem per malformed entry, or the parsed list. */
export function parseTrustedProxies(raw: string): { entries: string[]; problems: string[] } {
  const entries: string[] = []
  const problems: string[] = []
  for (const e of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr, bits, extra] = e.split('/')
    const v = isIP(addr ?? '')
    const max = v === 6 ? 128 : 32
    const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max)
    if (v === 0 || !okBits || extra !== undefined) problems.push(`"${e}" is not an IP address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1, ::1)`)
    else entries.push(e)
  }
  return { entries, problems }
}
