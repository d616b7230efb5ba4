import { DeliverPolicy, jetstreamManager } from '@nats-io/jetstream'
import type { StatusEvent } from '@kickmon/shared/contracts/status'
import { EVENTS_STREAM } from '@kickmon/shared/contracts/names'
import { NOTIFIER_DURABLE } from '@kickmon/shared/contracts/notifier'
import type { Tx } from '@kickmon/shared/db'
import { consumeEvents } from '@kickmon/shared/event-consumer'
import { jetStreamRetryLog, untilJetStreamAnswers } from '@kickmon/shared/nats-resources'
import type { NotifierDeps } from './deps.ts'
import { streamKeyOf } from './notice.ts'
import type { Visibility } from './visibility.ts'

// The durable consumer on KICK_EVENTS every notifier instance shares: each event becomes one
// ledger row per matching rule (unique on rule and event, so a redelivered event, a restart or
// a second instance adds nothing), committed before the message is acknowledged. Sending is
// the dispatcher's job.

type RuleMatch = { id: string; owner_id: number | null; channel_id: string; cooldown_s: number; min_viewers: number | null }

export type IntakeResult = 'matched' | 'unmatched' | 'too_old'

/** Record an event's deliveries; safe to run any number of times for one event. */
export async function recordDeliveries(d: NotifierDeps, vis: Visibility, e: StatusEvent): Promise<{ outcome: IntakeResult; inserted: number }> {
  const ageS = (Date.now() - Date.parse(e.at)) / 1000
  if (ageS > d.config.NOTIFY_MAX_AGE_S) {
    d.log.warn({ event: e.id, age_s: Math.round(ageS), max_age_s: d.config.NOTIFY_MAX_AGE_S }, 'event is older than NOTIFY_MAX_AGE_S: no notification sent for it')
    return { outcome: 'too_old', inserted: 0 }
  }
  const rules = await d.sql<RuleMatch[]>`
    select r.id, r.owner_id, r.channel_id, r.cooldown_s, r.min_viewers
    from notify_rules r join notify_channels c on c.id = r.channel_id
    where ${e.type} = any(r.events) and (r.streamers is null or ${e.slug} = any(r.streamers)) and c.broken_at is null`
  const allowed: RuleMatch[] = []
  for (const r of rules) if (await vis.maySee(r.owner_id, e.slug)) allowed.push(r)
  if (!allowed.length) return { outcome: 'unmatched', inserted: 0 }
  const key = streamKeyOf(e)
  let inserted = 0
  await d.sql.begin(async (tx) => {
    for (const r of allowed) {
      const [row] = await tx<{ id: string }[]>`
        insert into notify_deliveries (rule_id, channel_id, event_id, event_type, slug, stream_key, event_at, event)
        values (${r.id}, ${r.channel_id}, ${e.id}, ${e.type}, ${e.slug}, ${key}, ${e.at}, ${tx.json(e as never)})
        on conflict (rule_id, event_id) do nothing returning id`
      if (!row) continue
      inserted++
      const skip = (await cooldown(tx, r, e, key)) ?? (await heldStart(tx, r, e, key))
      if (skip) await tx`update notify_deliveries set status = 'skipped', note = ${skip}, done_at = now() where id = ${row.id}`
      else if (e.type === 'online' && r.min_viewers && (e.status.viewers ?? 0) < r.min_viewers)
        // Held until the stream reaches min_viewers (the refresher releases it) or ends.
        await tx`update notify_deliveries set next_attempt_at = 'infinity', note = ${`waiting for ${r.min_viewers} viewers`} where id = ${row.id}`
    }
  })
  return { outcome: 'matched', inserted }
}

/**
 * The flap guard: a stream that starts within cooldown_s of the end of the last one this rule
 * alerted about sends nothing, nor do its later events. Returns why a delivery is skipped.
 */
async function cooldown(tx: Tx, r: RuleMatch, e: StatusEvent, key: string): Promise<string | null> {
  const [c] = await tx<{ last_offline_at: Date | null; suppressed_stream: string | null }[]>`
    select last_offline_at, suppressed_stream from notify_cooldowns where rule_id = ${r.id} and slug = ${e.slug} for update`
  if (e.type === 'online') {
    const gap = c?.last_offline_at ? (Date.parse(e.at) - c.last_offline_at.getTime()) / 1000 : Infinity
    if (gap >= 0 && gap < r.cooldown_s) {
      await tx`update notify_cooldowns set suppressed_stream = ${key} where rule_id = ${r.id} and slug = ${e.slug}`
      return `restarted ${Math.round(gap)} s after the last stream ended (cooldown_s ${r.cooldown_s}): no second alert`
    }
    await tx`insert into notify_cooldowns (rule_id, slug, last_online_at, suppressed_stream) values (${r.id}, ${e.slug}, ${e.at}, null)
      on conflict (rule_id, slug) do update set last_online_at = excluded.last_online_at, suppressed_stream = null`
    return null
  }
  if (e.type === 'offline')
    await tx`insert into notify_cooldowns (rule_id, slug, last_offline_at) values (${r.id}, ${e.slug}, ${e.at})
      on conflict (rule_id, slug) do update set last_offline_at = greatest(notify_cooldowns.last_offline_at, excluded.last_offline_at)`
  if (c?.suppressed_stream === key) return 'part of a stream inside the cooldown (its start sent no alert)'
  return null
}

/** Events of a stream whose start is still held for min_viewers send nothing; its end drops the start. */
async function heldStart(tx: Tx, r: RuleMatch, e: StatusEvent, key: string): Promise<string | null> {
  if (e.type === 'online' || !r.min_viewers) return null
  const [held] = await tx<{ id: string }[]>`
    select id from notify_deliveries where rule_id = ${r.id} and slug = ${e.slug} and stream_key = ${key}
      and event_type = 'online' and status = 'pending' and next_attempt_at = 'infinity' for update`
  if (!held) return null
  if (e.type === 'offline')
    await tx`update notify_deliveries set status = 'skipped', note = ${`the stream ended below ${r.min_viewers} viewers`}, done_at = now() where id = ${held.id}`
  return `the stream has not reached ${r.min_viewers} viewers`
}

export class Intake {
  private consumer: { stop: () => Promise<void> } | null = null

  constructor(private readonly d: NotifierDeps, private readonly vis: Visibility, private readonly onRecorded: () => void) {}

  async start() {
    await waitForEventsStream(this.d)
    this.consumer = await consumeEvents(this.d.nc, {
      durable: NOTIFIER_DURABLE, log: this.d.log, what: 'recording deliveries',
      // A new installation starts with what happens from now on, not a week of history.
      deliverPolicy: DeliverPolicy.New,
      onMalformed: () => this.d.metrics.events.inc({ outcome: 'malformed' }),
      handle: async (event) => {
        const r = await recordDeliveries(this.d, this.vis, event)
        this.d.metrics.events.inc({ outcome: r.outcome })
        if (r.inserted) this.onRecorded()
      },
    })
  }

  async stop() {
    await this.consumer?.stop()
  }
}

/**
 * KICK_EVENTS is the poller's: wait until it exists rather than create it with other settings
 * (a notifier started before the first poller must not exit and be restarted).
 */
async function waitForEventsStream(d: Pick<NotifierDeps, 'nc' | 'log'>) {
  for (let attempt = 1; ; attempt++) {
    try {
      await untilJetStreamAnswers(async () => (await jetstreamManager(d.nc)).streams.info(EVENTS_STREAM), jetStreamRetryLog(d.log))
      return
    } catch (e) {
      if (attempt === 1 || attempt % 15 === 0) d.log.warn({ err: (e as Error).message }, `waiting for the ${EVENTS_STREAM} stream (the poller creates it)`)
      await Bun.sleep(1000)
    }
  }
}
