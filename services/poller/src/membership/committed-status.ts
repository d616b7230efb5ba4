import type { KV, KvEntry } from '@nats-io/kv'
import type { QueuedIterator } from '@nats-io/transport-node'
import { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { Logger } from '@kickmon/shared/logger'

// The KV `kick-status` holds every streamer's committed status, whoever owns it: a new owner
// resumes from it, and any instance answers for its peers' streamers from it.

function parse(e: KvEntry | null): StreamerStatus | null {
  if (!e || e.operation !== 'PUT' || !e.value.length) return null
  const r = StreamerStatus.safeParse(e.json())
  return r.success ? r.data : null
}

/** The committed status of each slug the KV has, read 100 at a time. */
export async function readCommitted(kv: KV, slugs: string[]): Promise<Map<string, StreamerStatus>> {
  const out = new Map<string, StreamerStatus>()
  for (let i = 0; i < slugs.length; i += 100) {
    const got = await Promise.all(slugs.slice(i, i + 100).map((s) => kv.get(s).then(parse, () => null)))
    for (const s of got) if (s) out.set(s.slug, s)
  }
  return out
}

/** Every committed status the KV holds, by key: a starting poller resumes from these. */
export async function readAllCommitted(kv: KV): Promise<Map<string, StreamerStatus>> {
  const out = new Map<string, StreamerStatus>()
  for await (const key of await kv.keys()) {
    const s = parse(await kv.get(key))
    if (s) out.set(key, s)
  }
  return out
}

export async function readOne(kv: KV, slug: string): Promise<StreamerStatus | null> {
  return parse(await kv.get(slug).catch(() => null))
}

/**
 * A live copy of the KV for `poller.streamers.list` while there are peers (a single poller
 * has everything in its Monitor and runs none). Values stay raw until asked for.
 */
export class StatusMirror {
  private raw = new Map<string, KvEntry>()
  private watcher: QueuedIterator<KvEntry> | null = null

  constructor(
    private readonly kv: KV,
    private readonly log: Logger,
  ) {}

  get active() {
    return this.watcher !== null
  }

  async start() {
    if (this.watcher) return
    const w = await this.kv.watch()
    this.watcher = w
    void (async () => {
      for await (const e of w) {
        if (e.operation === 'PUT') this.raw.set(e.key, e)
        else this.raw.delete(e.key)
      }
    })().catch((err) => this.log.warn({ err: (err as Error).message }, 'status mirror stopped'))
  }

  stop() {
    this.watcher?.stop()
    this.watcher = null
    this.raw.clear()
  }

  get(slug: string): StreamerStatus | null {
    return parse(this.raw.get(slug) ?? null)
  }
}
