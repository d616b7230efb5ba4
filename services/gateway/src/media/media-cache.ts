import type { GatewayConfig } from '../config.ts'
import { readCapped } from '../http/read-capped.ts'

// Profile pictures and banners, fetched by the gateway and served from our own origin so a
// viewer's browser never tells a third party who is watching. Only URLs the poller reported
// are ever fetched, only from Kick's hosts (or the configured Kick-compatible server), only
// images, size-capped, with bounded memory; failures are remembered briefly.

export type Media = { body: Uint8Array; type: string }

const TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/svg+xml'])

export class MediaCache {
  private items = new Map<string, { media: Media | null; until: number }>()
  private inflight = new Map<string, Promise<Media | null>>()
  private bytes = 0
  private readonly hosts: Set<string>

  constructor(
    config: Pick<GatewayConfig, 'KICK_API_URL' | 'KICK_WEB_URL' | 'KICK_AUTH_URL'>,
    private readonly o = { maxBytes: 8 * 1024 * 1024, itemMax: 512 * 1024, ttlMs: 6 * 3600_000, failTtlMs: 5 * 60_000, timeoutMs: 5000 },
  ) {
    this.hosts = new Set([config.KICK_API_URL, config.KICK_WEB_URL, config.KICK_AUTH_URL].map((u) => new URL(u).host))
  }

  allowed(url: string): boolean {
    let u: URL
    try {
      u = new URL(url)
    } catch {
      return false
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return false
    return this.hosts.has(u.host) || u.hostname === 'kick.com' || u.hostname.endsWith('.kick.com')
  }

  async get(url: string): Promise<Media | null> {
    const hit = this.items.get(url)
    if (hit && hit.until > Date.now()) {
      // Refresh recency for the LRU order.
      this.items.delete(url)
      this.items.set(url, hit)
      return hit.media
    }
    if (!this.allowed(url)) return null
    let p = this.inflight.get(url)
    if (!p) {
      p = this.fetchImage(url).finally(() => this.inflight.delete(url))
      this.inflight.set(url, p)
    }
    const media = await p
    this.put(url, media)
    return media
  }

  private put(url: string, media: Media | null) {
    const old = this.items.get(url)
    if (old?.media) this.bytes -= old.media.body.byteLength
    this.items.delete(url)
    this.items.set(url, { media, until: Date.now() + (media ? this.o.ttlMs : this.o.failTtlMs) })
    if (media) this.bytes += media.body.byteLength
    for (const [k, v] of this.items) {
      if (this.bytes <= this.o.maxBytes && this.items.size <= 20_000) break
      this.items.delete(k)
      if (v.media) this.bytes -= v.media.body.byteLength
    }
  }

  private async fetchImage(url: string): Promise<Media | null> {
    try {
      let current = url
      for (let hop = 0; hop < 3; hop++) {
        const res = await fetch(current, { redirect: 'manual', signal: AbortSignal.timeout(this.o.timeoutMs), headers: { accept: 'image/*' } })
        if (res.status >= 300 && res.status < 400) {
          const next = res.headers.get('location')
          await res.body?.cancel()
          if (!next) return null
          current = new URL(next, current).toString()
          if (!this.allowed(current)) return null
          continue
        }
        const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
        if (!res.ok || !TYPES.has(type) || Number(res.headers.get('content-length') ?? 0) > this.o.itemMax) {
          await res.body?.cancel()
          return null
        }
        const body = await readCapped(res.body!, this.o.itemMax)
        return body ? { body, type } : null
      }
      return null
    } catch {
      return null
    }
  }
}
