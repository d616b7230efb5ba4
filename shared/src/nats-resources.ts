import {
  DiscardPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager,
  type JetStreamClient, type JetStreamManager, type StreamConfig,
} from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { EVENTS_STREAM, STATUS_BUCKET, WEBHOOKS_STREAM, kvStream, subjects } from './contracts/names.ts'
import { WEBHOOK_DUPLICATE_WINDOW_MS } from './webhook-window.ts'

// JetStream streams and the status bucket (docs/design.md#nats-subjects). Whoever starts first creates
// them: the poller needs all of them, the gateway only KICK_WEBHOOKS (it publishes
// verified deliveries there before answering Kick). `replicas` is NATS_REPLICAS: 1 on a
// single server, 3 (or 5) on a NATS cluster (docs/scaling.md).

const DAY_NS = 24 * 3600 * 1e9

export type RetryLog = (err: unknown, attempt: number) => void

/**
 * JetStream answers nothing, or "temporarily unavailable", while a cluster elects its meta
 * leader or a node catches up; on a busy machine that can outlast one request's timeout.
 * Those are retried with back-off (every step here is create-if-missing, so repeating is
 * safe); anything else, such as replicas a single server cannot place, fails at once.
 */
export async function untilJetStreamAnswers<T>(op: () => Promise<T>, onRetry: RetryLog = () => {}, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let attempt = 1; ; attempt++) {
    try {
      return await op()
    } catch (e) {
      if (!isTransient(e) || Date.now() > deadline) throw e
      onRetry(e, attempt)
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)))
    }
  }
}

/** The warning each service logs while it waits for JetStream. */
export const jetStreamRetryLog = (log: { warn: (o: object, msg: string) => void }): RetryLog => (err, attempt) =>
  log.warn({ err: (err as Error).message, attempt }, 'JetStream not answering yet; retrying')

const TRANSIENT = /timeout|no responders|temporarily unavailable|no suitable peers/i
function isTransient(e: unknown): boolean {
  const err = e as { name?: string; message?: string; cause?: unknown } | null
  if (!err) return false
  return TRANSIENT.test(`${err.name ?? ''} ${err.message ?? ''}`) || (err.cause !== undefined && err.cause !== e && isTransient(err.cause))
}

const common = {
  retention: RetentionPolicy.Limits,
  storage: StorageType.File,
  discard: DiscardPolicy.Old,
  duplicate_window: 2 * 60 * 1e9, // dedupe by message id (event id) for 2 minutes
} satisfies Partial<StreamConfig>

export const STREAMS = {
  [EVENTS_STREAM]: { name: EVENTS_STREAM, subjects: [subjects.eventsAll], max_age: 7 * DAY_NS, ...common },
  // Kick-Event-Message-Id is remembered for as long as the gateway accepts the signed delivery.
  [WEBHOOKS_STREAM]: { name: WEBHOOKS_STREAM, subjects: [subjects.webhooksAll], max_age: 1 * DAY_NS, ...common, duplicate_window: WEBHOOK_DUPLICATE_WINDOW_MS * 1e6 },
} as const

/**
 * Create the stream unless it exists; a concurrent creator winning the race is fine.
 * With `reconcile`, an existing stream whose replica count differs is changed to `replicas`,
 * and one whose duplicate window is shorter than `config`'s is widened (the poller does this,
 * so a stream the gateway or an older release created ends up as configured).
 */
export async function ensureStream(jsm: JetStreamManager, name: string, config: Partial<StreamConfig> = {}, replicas = 1, reconcile = false): Promise<void> {
  const info = await jsm.streams.info(name).catch(() => null)
  if (info) {
    const widen = config.duplicate_window !== undefined && config.duplicate_window > (info.config.duplicate_window ?? 0)
    if (reconcile && (info.config.num_replicas !== replicas || widen))
      await jsm.streams.update(name, { ...info.config, num_replicas: replicas, ...(widen ? { duplicate_window: config.duplicate_window } : {}) })
  } else {
    try {
      await jsm.streams.add({ ...config, name, num_replicas: replicas } as StreamConfig)
    } catch (e) {
      await jsm.streams.info(name).catch(() => {
        throw e
      })
    }
  }
  if (replicas > 1) await waitForLeader(jsm, name)
}

/** A replicated stream takes a moment to elect its leader; until then every write is refused. */
async function waitForLeader(jsm: JetStreamManager, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const info = await jsm.streams.info(name).catch(() => null)
    if (info?.cluster?.leader) return
    if (Date.now() > deadline) throw new Error(`stream ${name} has no leader after ${timeoutMs / 1000} s: are ${info?.config.num_replicas ?? 'enough'} NATS servers up?`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const streamConfig = (name: keyof typeof STREAMS): Partial<StreamConfig> => ({ ...STREAMS[name], subjects: [...STREAMS[name].subjects] })

/**
 * For the gateway: the stream webhook deliveries go to. Not retried: it runs inside Kick's
 * request, which should fail fast (Kick redelivers) rather than wait on JetStream.
 */
export async function ensureWebhookStream(nc: NatsConnection, replicas = 1): Promise<JetStreamClient> {
  await ensureStream(await jetstreamManager(nc), WEBHOOKS_STREAM, streamConfig(WEBHOOKS_STREAM), replicas)
  return jetstream(nc)
}

/** A KV bucket with `replicas`, created if missing and its replica count brought in line. */
export async function ensureBucket(nc: NatsConnection, bucket: string, opts: { history?: number; ttl?: number; storage?: StorageType }, replicas = 1, onRetry?: RetryLog): Promise<KV> {
  return untilJetStreamAnswers(async () => {
    const kv = await new Kvm(nc).create(bucket, { ...opts, replicas })
    await ensureStream(await jetstreamManager(nc), kvStream(bucket), {}, replicas, true)
    return kv
  }, onRetry)
}

/** For the poller: both streams and the status bucket, at `replicas`. */
export async function ensureNatsResources(nc: NatsConnection, replicas = 1, onRetry?: RetryLog): Promise<{ js: JetStreamClient; kv: KV }> {
  await untilJetStreamAnswers(async () => {
    const jsm = await jetstreamManager(nc)
    await ensureStream(jsm, EVENTS_STREAM, streamConfig(EVENTS_STREAM), replicas, true)
    await ensureStream(jsm, WEBHOOKS_STREAM, streamConfig(WEBHOOKS_STREAM), replicas, true)
  }, onRetry)
  const kv = await ensureBucket(nc, STATUS_BUCKET, { history: 1 }, replicas, onRetry)
  return { js: jetstream(nc), kv }
}
