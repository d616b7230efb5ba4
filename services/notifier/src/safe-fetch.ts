import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { hostAllowed, isPrivateAddress, normalHost, PROVIDER_HOSTS } from './address-policy.ts'

// Every request to a provider goes through here: the URL is checked before DNS, every
// address it resolves to after DNS, and again on every redirect (a public host may redirect
// to 127.0.0.1). Allow-listed hosts skip the address and provider-host checks.

export class UrlRefused extends Error {
  override name = 'UrlRefused'
}

export type UrlPolicy = {
  allowHosts: readonly string[]
  channelType?: string
  /** How names become addresses (the system resolver unless a test says otherwise). */
  resolve?: (host: string) => Promise<{ address: string }[]>
}

/** The checks that need no DNS: scheme, provider host, literal private addresses. */
export function checkUrlShape(raw: string, policy: UrlPolicy): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UrlRefused('is not a URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UrlRefused(`uses ${url.protocol.replace(':', '')}; only http and https are allowed`)
  if (url.username || url.password) throw new UrlRefused('must not carry a user name or password')
  const host = normalHost(url.hostname)
  if (hostAllowed(host, policy.allowHosts)) return url
  const hosts = policy.channelType ? PROVIDER_HOSTS[policy.channelType] : undefined
  if (hosts && !hosts.includes(host)) throw new UrlRefused(`must point at ${hosts.join(' or ')} (or a host in NOTIFY_ALLOW_HOSTS)`)
  if (isIP(host) && isPrivateAddress(host)) throw new UrlRefused(`points at a private, loopback or link-local address (${host}); list it in NOTIFY_ALLOW_HOSTS to allow it`)
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) throw new UrlRefused(`points at a local name (${host})`)
  return url
}

/** The full check: shape, then every address the host resolves to. */
export async function checkUrl(raw: string, policy: UrlPolicy): Promise<URL> {
  const url = checkUrlShape(raw, policy)
  const host = normalHost(url.hostname)
  if (hostAllowed(host, policy.allowHosts) || isIP(host)) return url
  let addrs: { address: string }[]
  try {
    addrs = await (policy.resolve ?? ((h: string) => lookup(h, { all: true, verbatim: true })))(host)
  } catch {
    throw new UrlRefused(`host ${host} does not resolve`)
  }
  const bad = addrs.find((a) => isPrivateAddress(a.address))
  if (!addrs.length || bad) throw new UrlRefused(`host ${host} resolves to a private, loopback or link-local address (${bad?.address ?? 'none'})`)
  return url
}

const MAX_REDIRECTS = 5

/** fetch with the checks above on the first URL and on each redirect; never follows on its own. */
export async function safeFetch(raw: string, init: RequestInit, policy: UrlPolicy, timeoutMs = 10_000): Promise<Response> {
  let url = raw
  let req = { ...init }
  for (let hop = 0; ; hop++) {
    const checked = await checkUrl(url, policy)
    const res = await fetch(checked, { ...req, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
    const location = res.headers.get('location')
    if (res.status < 300 || res.status >= 400 || !location) return res
    await res.body?.cancel()
    if (hop >= MAX_REDIRECTS) throw new UrlRefused(`redirected more than ${MAX_REDIRECTS} times`)
    url = new URL(location, checked).toString()
    // 301/302/303 turn into a GET without a body, as browsers do; 307/308 repeat the request.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && req.method && req.method !== 'GET')) req = { ...req, method: 'GET', body: undefined }
  }
}

/** The provider's answer as text, bounded (a provider answering megabytes is not read whole). */
export async function answerText(res: Response, max = 16_384): Promise<string> {
  const reader = res.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.length
    if (size >= max) {
      await reader.cancel()
      break
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, max))
}
