import { AckPolicy, jetstream, jetstreamManager, type ConsumerMessages, type DeliverPolicy } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { EVENTS_STREAM } from './contracts/names.ts'
import { StatusEvent } from './contracts/status.ts'
import type { Logger } from './logger.ts'

// A durable consumer on KICK_EVENTS that acknowledges an event only once `handle` has committed
// it, so with PostgreSQL down events wait in JetStream and nothing is lost or doubled (`handle`
// is safe to run any number of times for one event). The poller records events with it, the
// notifier its deliveries.

export type EventConsumerOptions = {
  /** The consumer's name: every instance of the service shares it. */
  durable: string
  /** `All`: from the stream's start; `New`: what is published from now on. */
  deliverPolicy: DeliverPolicy
  log: Logger
  /** What `handle` does, for the log line when it fails ("recording event"). */
  what: string
  /** Throws to have the event redelivered after 2 s. */
  handle: (event: StatusEvent) => Promise<void>
  /** A message that is no StatusEvent: logged and dropped. */
  onMalformed?: () => void
}

/** Starts consuming; `stop()` ends after the event in hand. */
export async function consumeEvents(nc: NatsConnection, o: EventConsumerOptions): Promise<{ stop: () => Promise<void> }> {
  const jsm = await jetstreamManager(nc)
  await jsm.consumers.add(EVENTS_STREAM, {
    durable_name: o.durable, ack_policy: AckPolicy.Explicit, deliver_policy: o.deliverPolicy,
    ack_wait: 30e9, max_ack_pending: 1000,
  }).catch((e) => {
    if (!String((e as Error).message).includes('already')) throw e
  })
  const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, o.durable)
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 200 })
  const done = (async () => {
    for await (const m of messages) {
      let event: StatusEvent
      try {
        event = StatusEvent.parse(m.json())
      } catch (err) {
        o.log.error({ err: (err as Error).message, subject: m.subject }, `malformed event in ${EVENTS_STREAM}; dropping it`)
        o.onMalformed?.()
        m.term()
        continue
      }
      try {
        await o.handle(event)
        m.ack()
      } catch (err) {
        o.log.warn({ err: (err as Error).message, id: event.id }, `${o.what} failed; will retry`)
        m.nak(2000)
      }
    }
  })()
  return {
    stop: async () => {
      await messages.close()
      await done
    },
  }
}
