import { AckPolicy, DeliverPolicy, jetstreamManager, type JetStreamClient, type ConsumerMessages } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { StatusEvent } from '@kickmon/shared/contracts/status'
import { EVENTS_STREAM } from '@kickmon/shared/contracts/names'
import type { Sql } from '@kickmon/shared/db'
import type { Logger } from '@kickmon/shared/logger'

const DURABLE = 'poller-recorder'

/** Write one event and its session effect; safe to run any number of times. */
export async function recordEvent(sql: Sql, e: StatusEvent): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [s] = await tx<{ id: number }[]>`select id from streamers where slug = ${e.slug}`
    if (!s) return false // the streamer was removed; nothing to record against
    const rows = await tx`insert into status_events (id, streamer_id, type, at, status, previous)
      values (${e.id}, ${s.id}, ${e.type}, ${e.at}, ${tx.json(e.status as never)}, ${e.previous ? tx.json(e.previous as never) : null})
      on conflict (id) do nothing returning id`
    if (!rows.length) return false
    if (e.type === 'online' && e.status.started_at) {
      await tx`insert into stream_sessions (streamer_id, started_at, title, category_name)
        values (${s.id}, ${e.status.started_at}, ${e.status.title}, ${e.status.category?.name ?? null})
        on conflict (streamer_id, started_at) do nothing`
    } else if (e.type === 'offline' && e.previous?.started_at) {
      await tx`update stream_sessions set ended_at = ${e.at}
        where streamer_id = ${s.id} and started_at = ${e.previous.started_at} and ended_at is null`
    } else if ((e.type === 'title' || e.type === 'category') && e.status.started_at) {
      await tx`update stream_sessions set title = ${e.status.title}, category_name = ${e.status.category?.name ?? null}
        where streamer_id = ${s.id} and started_at = ${e.status.started_at}`
    }
    return true
  })
}

/**
 * The durable consumer that moves KICK_EVENTS into PostgreSQL, acknowledging only after
 * commit: with PostgreSQL down the events wait in JetStream and nothing is lost or doubled.
 */
export class EventRecorder {
  private messages: ConsumerMessages | null = null
  private done: Promise<void> | null = null
  recorded = 0

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly sql: Sql,
    private readonly log: Logger,
  ) {}

  async start() {
    const jsm = await jetstreamManager(this.nc)
    await jsm.consumers.add(EVENTS_STREAM, {
      durable_name: DURABLE, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
      ack_wait: 30e9, max_ack_pending: 1000,
    }).catch(async (e) => {
      if (!String(e.message).includes('already')) throw e
    })
    const consumer = await this.js.consumers.get(EVENTS_STREAM, DURABLE)
    this.messages = await consumer.consume({ max_messages: 200 })
    this.done = (async () => {
      for await (const m of this.messages!) {
        let event: StatusEvent
        try {
          event = StatusEvent.parse(m.json())
        } catch (err) {
          this.log.error({ err, subject: m.subject }, 'malformed event in KICK_EVENTS; dropping it')
          m.term()
          continue
        }
        try {
          if (await recordEvent(this.sql, event)) this.recorded++
          m.ack()
        } catch (err) {
          this.log.warn({ err: (err as Error).message, id: event.id }, 'recording event failed; will retry')
          m.nak(2000)
        }
      }
    })()
  }

  async stop() {
    await this.messages?.close()
    await this.done
  }
}
