import { Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { StreamerStatus } from '@kickmon/shared/contracts/status'
import { STATUS_BUCKET, subjects } from '@kickmon/shared/contracts/names'
import { StreamerRemoved } from '@kickmon/shared/contracts/poller'

export type FeedEvents = {
  status: (s: StreamerStatus) => void
  removed: (slug: string) => void
  /** The KV snapshot was read (at start and after every reconnect): these slugs exist; null when it could not be read. */
  snapshot: (slugs: Set<string> | null, error?: string) => void
  connection: (state: 'connected' | 'reconnecting') => void
}

/**
 * Status changes as they happen (`kick.status.>`), plus the KV `kick-status` read at start
 * and again after each reconnect, because core publishes sent during an outage are lost.
 */
export async function startFeed(nc: NatsConnection, on: FeedEvents): Promise<{ stop: () => void }> {
  const sub = nc.subscribe(subjects.statusAll, {
    callback: (err, m) => {
      if (err) return
      const r = StreamerStatus.safeParse(safeJson(m))
      if (r.success) on.status(r.data)
    },
  })
  const removed = nc.subscribe(subjects.streamerRemoved, {
    callback: (err, m) => {
      if (err) return
      const r = StreamerRemoved.safeParse(safeJson(m))
      if (r.success) on.removed(r.data.slug)
    },
  })
  await readSnapshot(nc, on)
  let stopped = false
  void (async () => {
    for await (const s of nc.status()) {
      if (stopped) break
      if (s.type === 'disconnect') on.connection('reconnecting')
      if (s.type === 'reconnect') {
        on.connection('connected')
        await readSnapshot(nc, on).catch(() => {})
      }
    }
  })()
  return {
    stop: () => {
      stopped = true
      sub.unsubscribe()
      removed.unsubscribe()
    },
  }
}

async function readSnapshot(nc: NatsConnection, on: FeedEvents) {
  const slugs = new Set<string>()
  try {
    const kv = await new Kvm(nc).open(STATUS_BUCKET)
    const keys: string[] = []
    for await (const k of await kv.keys()) keys.push(k)
    for (let i = 0; i < keys.length; i += 100) {
      const entries = await Promise.all(keys.slice(i, i + 100).map((k) => kv.get(k).catch(() => null)))
      for (const e of entries) {
        if (!e || e.operation !== 'PUT' || !e.value.length) continue
        const r = StreamerStatus.safeParse(safeJson(e))
        if (!r.success) continue
        slugs.add(r.data.slug)
        on.status(r.data)
      }
    }
  } catch (e) {
    // No bucket yet means the poller never ran: nothing to show. Anything else: keep going on
    // live changes alone, and say so.
    if (!/stream not found|bucket not found|no such bucket/i.test((e as Error).message)) return on.snapshot(null, (e as Error).message)
  }
  on.snapshot(slugs)
}

function safeJson(m: { json: () => unknown }): unknown {
  try {
    return m.json()
  } catch {
    return null
  }
}
