import {
  DiscardPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager,
  type JetStreamClient, type JetStreamManager, type StreamConfig,
} from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { EVENTS_STREAM, STATUS_BUCKET, WEBHOOKS_STREAM, subjects } from './subjects.ts'

// JetStream streams and the status bucket (design.md §4). Whoever starts first creates
// them: the poller needs all of them, the gateway only KICK_WEBHOOKS (it publishes
// verified deliveries there before answering Kick).

const DAY_NS = 24 * 3600 * 1e9

const common = {
  retention: RetentionPolicy.Limits,
  storage: StorageType.File,
  discard: DiscardPolicy.Old,
  duplicate_window: 2 * 60 * 1e9, // dedupe by message id (event id, Kick-Event-Message-Id) for 2 minutes
} satisfies Partial<StreamConfig>

export const STREAMS = {
  [EVENTS_STREAM]: { name: EVENTS_STREAM, subjects: [subjects.eventsAll], max_age: 7 * DAY_NS, ...common },
  [WEBHOOKS_STREAM]: { name: WEBHOOKS_STREAM, subjects: [subjects.webhooksAll], max_age: 1 * DAY_NS, ...common },
} as const

/** Create the stream unless it exists; a concurrent creator winning the race is fine. */
export async function ensureStream(jsm: JetStreamManager, name: keyof typeof STREAMS): Promise<void> {
  try {
    await jsm.streams.info(name)
    return
  } catch {
    // not there yet (or not readable): try to create it
  }
  try {
    await jsm.streams.add({ ...STREAMS[name], subjects: [...STREAMS[name].subjects] })
  } catch (e) {
    await jsm.streams.info(name).catch(() => {
      throw e
    })
  }
}

/** For the gateway: the stream webhook deliveries go to. */
export async function ensureWebhookStream(nc: NatsConnection): Promise<JetStreamClient> {
  await ensureStream(await jetstreamManager(nc), WEBHOOKS_STREAM)
  return jetstream(nc)
}

/** For the poller: both streams and the status bucket. */
export async function ensureNatsResources(nc: NatsConnection): Promise<{ js: JetStreamClient; kv: KV }> {
  const jsm = await jetstreamManager(nc)
  await ensureStream(jsm, EVENTS_STREAM)
  await ensureStream(jsm, WEBHOOKS_STREAM)
  const kv = await new Kvm(nc).create(STATUS_BUCKET, { history: 1 })
  return { js: jetstream(nc), kv }
}
