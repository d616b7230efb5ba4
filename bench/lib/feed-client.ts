import { parseFeedMessage, type RowUpdate } from './feed-parser.ts'
import { nowMs } from './stats.ts'

// One dashboard WebSocket (/ws, authenticated by the session cookie), reconnecting like the
// page does. Many clients in one process receive the same text, so parses are shared.

const parsed = new Map<string, ReturnType<typeof parseFeedMessage>>()
function parseShared(text: string) {
  let p = parsed.get(text)
  if (!p) {
    p = parseFeedMessage(text)
    if (parsed.size > 256) parsed.delete(parsed.keys().next().value!)
    parsed.set(text, p)
  }
  return p
}

export type FeedListener = (updates: RowUpdate[], snapshot: boolean, atMs: number) => void

export class FeedClient {
  private ws: WebSocket | null = null
  private stopped = false
  private retry = 0
  connects = 0
  closes: { code: number; at: number }[] = []
  messages = 0
  connected = false
  private firstSnapshot: { resolve: () => void; reject: (e: Error) => void } | null = null

  constructor(
    private readonly url: string,
    private readonly cookie: () => string,
    private readonly onMessage: FeedListener,
    private readonly opts: { reconnect?: boolean } = {},
  ) {}

  /** Resolves once the first snapshot has arrived. */
  start(timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no snapshot from ${this.url} after ${timeoutMs} ms`)), timeoutMs)
      this.firstSnapshot = { resolve: () => (clearTimeout(t), resolve()), reject: (e) => (clearTimeout(t), reject(e)) }
      this.open()
    })
  }

  private open() {
    if (this.stopped) return
    // Bun's WebSocket client takes headers: the session cookie goes with the upgrade, as a browser's would.
    const ws = new WebSocket(this.url, { headers: { cookie: this.cookie() } } as unknown as string[])
    this.ws = ws
    ws.onopen = () => {
      this.connects++
      this.connected = true
      this.retry = 0
    }
    ws.onmessage = (e) => {
      const at = nowMs()
      this.messages++
      const p = parseShared(String(e.data))
      this.onMessage(p.updates, p.snapshot, at)
      if (p.snapshot && this.firstSnapshot) {
        this.firstSnapshot.resolve()
        this.firstSnapshot = null
      }
    }
    ws.onclose = (e) => {
      this.connected = false
      this.closes.push({ code: e.code, at: Date.now() })
      if (this.ws !== ws) return
      this.ws = null
      if (this.stopped) return
      if (this.opts.reconnect === false) {
        this.firstSnapshot?.reject(new Error(`socket closed (${e.code}) before the snapshot`))
        return
      }
      const wait = Math.min(2000, 100 * 2 ** this.retry++)
      setTimeout(() => this.open(), wait)
    }
    ws.onerror = () => {}
  }

  stop() {
    this.stopped = true
    this.ws?.close(1000)
    this.ws = null
  }
}
