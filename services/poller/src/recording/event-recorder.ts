import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { StatusEvent } from '@kickmon/shared/contracts/status'
import { RECORDER_DURABLE } from '@kickmon/shared/contracts/poller'
import type { Sql } from '@kickmon/shared/db'
import { consumeEvents } from '@kickmon/shared/event-consumer'
import type { Logger } from '@kickmon/shared/logger'

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
  private consumer: { stop: () => Promise<void> } | null = null
  recorded = 0

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly sql: Sql,
    private readonly log: Logger,
  ) {}

  async start() {
    this.consumer = await consumeEvents(this.nc, {
      durable: RECORDER_DURABLE, deliverPolicy: DeliverPolicy.All, log: this.log, what: 'recording event',
      handle: async (event) => {
        if (await recordEvent(this.sql, event)) this.recorded++
      },
    })
  }

  async stop() {
    await this.consumer?.stop()
  }
}
