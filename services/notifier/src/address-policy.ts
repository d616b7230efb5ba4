import { isIP } from 'node:net'

// Which addresses a channel URL may reach (docs/notifications.md, "the SSRF rule"). Channel
// URLs are user input, so the notifier never calls into the machine it runs on or its LAN
// unless the operator lists the host in NOTIFY_ALLOW_HOSTS.

const V4_BLOCKED: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
]

const v4ToInt = (a: string) => a.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0

function v4Blocked(addr: string): boolean {
  const n = v4ToInt(addr)
  return V4_BLOCKED.some(([base, bits]) => (n >>> (32 - bits)) === (v4ToInt(base) >>> (32 - bits)))
}

/** The 8 groups of an IPv6 address as numbers (handles `::` and an embedded IPv4 tail). */
function v6Groups(addr: string): number[] {
  let a = addr.toLowerCase().split('%')[0]!
  const v4 = a.match(/(\d+\.\d+\.\d+\.\d+)$/)
  if (v4) {
    const n = v4ToInt(v4[1]!)
    a = a.slice(0, -v4[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`
  }
  const [head, tail] = a.split('::') as [string, string | undefined]
  const h = head ? head.split(':') : []
  const t = tail !== undefined && tail ? tail.split(':') : []
  const fill = tail !== undefined ? Array(8 - h.length - t.length).fill('0') : []
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16))
}

function v6Blocked(addr: string): boolean {
  const g = v6Groups(addr)
  if (g.length !== 8 || g.some((x) => Number.isNaN(x))) return true
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number]
  const embeddedV4 = () => `${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return v4Blocked(embeddedV4()) // ::ffff:a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return v4Blocked(embeddedV4()) // NAT64
  if (g.every((x, i) => (i < 7 ? x === 0 : x <= 1))) return true // :: and ::1
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return true // IPv4-compatible (deprecated)
  if ((g0 & 0xfe00) === 0xfc00) return true // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return true // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return true // site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return true // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return true // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return true // discard-only
  if (g0 === 0x2002) return v4Blocked(`${g1 >> 8}.${g1 & 255}.${g2 >> 8}.${g2 & 255}`) // 6to4 wraps an IPv4
  return false
}

/** True for loopback, private, link-local, CGNAT, multicast, documentation and reserved addresses. */
export function isPrivateAddress(addr: string): boolean {
  const kind = isIP(addr)
  if (kind === 4) return v4Blocked(addr)
  if (kind === 6) return v6Blocked(addr)
  return true // not an address at all: refuse
}

/** `[::1]` → `::1`, lowercased, without a trailing dot. */
export const normalHost = (hostname: string) => hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '')

export function hostAllowed(hostname: string, allowHosts: readonly string[]): boolean {
  return allowHosts.includes(normalHost(hostname))
}

/** Hosts each provider type may be reached at (the same NOTIFY_ALLOW_HOSTS override applies). */
export const PROVIDER_HOSTS: Partial<Record<string, readonly string[]>> = {
  discord: ['discord.com', 'discordapp.com', 'ptb.discord.com', 'canary.discord.com'],
  telegram: ['api.telegram.org'],
  slack: ['hooks.slack.com'],
}
