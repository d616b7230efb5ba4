import { jetstreamManager, jetstream, RetentionPolicy, StorageType, DiscardPolicy, type JetStreamClient } from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { EVENTS_STREAM, STATUS_BUCKET, WEBHOOKS_STREAM, subjects } from '@kickmon/shared/subjects'

const DAY_NS = 24 * 3600 * 1e9

/** Streams and the status bucket, created idempotently by whoever starts first. */
export async function ensureNatsResources(nc: NatsConnection): Promise<{ js: JetStreamClient; kv: KV }> {
  const jsm = await jetstreamManager(nc)
  const streams = [
    { name: EVENTS_STREAM, subjects: [subjects.eventsAll], max_age: 7 * DAY_NS },
    { name: WEBHOOKS_STREAM, subjects: [subjects.webhooksAll], max_age: 1 * DAY_NS },
  ]
  for (const s of streams) {
    try {
      await jsm.streams.info(s.name)
    } catch {
      await jsm.streams.add({
        ...s,
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        duplicate_window: 2 * 60 * 1e9, // dedupe by message id for 2 minutes
      })
    }
  }
  const kv = await new Kvm(nc).create(STATUS_BUCKET, { history: 1 })
  return { js: jetstream(nc), kv }
}
