import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { Logger } from '@kickmon/shared/logger'
import type { AccessCache } from '../identity/access.ts'
import type { CredentialWatch } from '../identity/credential-watch.ts'
import type { Caller } from '../identity/request-auth.ts'
import type { SessionCache } from '../identity/session-cache.ts'
import type { StatusStore } from './status-store.ts'

type Client = {
  caller: Caller
  visible: { all: boolean; slugs: Set<string> }
  send: (event: string, data: unknown) => boolean
  end: (reason: string) => void
}

const HEARTBEAT_MS = 15_000
/** A client this far behind is dropped; it reconnects to a fresh snapshot. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024

/**
 * `GET /api/v1/stream`: the live feed as Server-Sent Events for API clients, scoped like the
 * dashboard. Events: `snapshot` (StreamerStatus[], on connect and whenever access changes),
 * `status` (one StreamerStatus), `removed` ({slug}), `end` ({reason}, then the stream closes).
 */
export class EventStream {
  private clients = new Set<Client>()
  private timer: Timer

  constructor(
    private readonly statuses: StatusStore,
    private readonly access: AccessCache,
    sessions: SessionCache,
    private readonly watch: CredentialWatch,
    private readonly log: Logger,
  ) {
    statuses.onChange((s, slug) => this.changed(s, slug))
    // Revocation, expiry and idle timeout end a stream through the watch (identity/credential-watch.ts).
    sessions.onAccessChanged((userId) => {
      for (const c of this.clients) if (c.caller.user.id === userId) void this.snapshot(c)
    })
    this.timer = setInterval(() => {
      for (const c of this.clients) c.send('', null)
    }, HEARTBEAT_MS)
  }

  get size() {
    return this.clients.size
  }

  stop() {
    clearInterval(this.timer)
    for (const c of this.clients) c.end('server restarting')
  }

  open(caller: Caller, signal: AbortSignal): Response {
    const enc = new TextEncoder()
    let client!: Client
    let close = () => {}
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        let closed = false
        let unwatch = () => {}
        close = () => {
          if (closed) return
          closed = true
          unwatch()
          this.clients.delete(client)
          try {
            controller.close()
          } catch {}
        }
        client = {
          caller,
          visible: { all: false, slugs: new Set() },
          send: (event, data) => {
            if (closed) return false
            if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) {
              this.log.info({ user: caller.user.id }, 'event stream client too slow; dropping it')
              close()
              return false
            }
            controller.enqueue(enc.encode(event ? `event: ${event}\ndata: ${JSON.stringify(data)}\n\n` : `: ping\n\n`))
            return true
          },
          end: (reason) => {
            client.send('end', { reason })
            close()
          },
        }
        signal.addEventListener('abort', close)
        this.clients.add(client)
        unwatch = this.watch.watch(caller, (reason) => client.end(reason))
        controller.enqueue(enc.encode('retry: 2000\n\n'))
        void this.snapshot(client)
      },
      cancel: () => close(),
    }, { highWaterMark: 0, size: (chunk?: Uint8Array) => chunk?.byteLength ?? 0 })
    return new Response(body, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
    })
  }

  private async snapshot(c: Client) {
    try {
      c.visible = await this.access.visible(c.caller)
    } catch {
      return c.end('could not resolve what you may see; reconnect')
    }
    const list = this.statuses.all().filter((s) => c.visible.all || c.visible.slugs.has(s.slug))
    c.send('snapshot', list.sort((a, b) => a.slug.localeCompare(b.slug)))
  }

  private changed(s: StreamerStatus | null, slug: string) {
    for (const c of this.clients) {
      if (!c.visible.all && !c.visible.slugs.has(slug)) continue
      if (s) c.send('status', s)
      else c.send('removed', { slug })
    }
  }
}
