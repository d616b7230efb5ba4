import { StatusEvent } from '@kickmon/shared/contracts/status'
import { DELIVERY_UPDATES_SUBJECT, type ChannelType, type Delivery } from '@kickmon/shared/contracts/notifier'
import { markBroken, openConfig } from './channels.ts'
import type { ChannelLocks } from './channel-lock.ts'
import { iso, type NotifierDeps } from './deps.ts'
import type { LiveStatuses } from './live-statuses.ts'
import { noticeOf } from './notice.ts'
import { PROVIDERS } from './providers/index.ts'
import type { SendResult } from './providers/types.ts'
import { summaryOf } from './summary.ts'
import { render } from './templates.ts'

// Sends what the ledger says is due. A row is claimed (`sending`, claimed_until) in one
// statement with SKIP LOCKED, so instances share the work and never take the same row; a
// claim left by a killed instance is taken over when it expires (the only way a message can
// be sent twice: it was in flight at the kill). Retries back off with full jitter and honour
// the provider's retry_after; a permanent refusal fails the row, a dead channel is marked
// broken.

const BATCH = 50
const CLAIM_S = 30
const MAX_ATTEMPTS = 8
const MAX_BACKOFF_S = 600

type Row = {
  id: string; rule_id: string; channel_id: string; event_id: string; event_type: StatusEvent['type']; slug: string; stream_key: string
  event_at: Date; event: unknown; attempts: number; recorded_at: Date; first_sent_at: Date | null
  ch_type: ChannelType; ch_config: Record<string, unknown>; ch_secret: string; ch_broken: boolean; owner_id: number | null; template: string | null
}

/** Full jitter: random(0, min(cap, 2^n)) seconds, at least one. */
export const backoffS = (attempt: number) => Math.max(1, Math.random() * Math.min(MAX_BACKOFF_S, 2 ** attempt))

export class Dispatcher {
  private wake: (() => void) | null = null
  private stopped = false
  private loop: Promise<void> | null = null
  /** Per channel: no request before this time (a provider's rate limit). */
  private notBefore = new Map<string, number>()

  /** This instance's name on its claims. */
  private readonly me = crypto.randomUUID()

  constructor(
    private readonly d: NotifierDeps,
    private readonly live: LiveStatuses,
    private readonly locks: ChannelLocks,
    private readonly onMessage: (slug: string) => void,
  ) {}

  start() {
    this.loop = (async () => {
      while (!this.stopped) {
        let n = 0
        try {
          n = await this.runOnce()
        } catch (err) {
          this.d.log.warn({ err: (err as Error).message }, 'dispatch round failed; retrying')
          await Bun.sleep(1000)
        }
        if (n === 0 && !this.stopped) await new Promise<void>((r) => {
          this.wake = r
          setTimeout(r, 1000)
        })
      }
    })()
  }

  /** Something was recorded: look now rather than at the next tick. */
  kick() {
    this.wake?.()
    this.wake = null
  }

  async stop() {
    this.stopped = true
    this.kick()
    await this.loop
  }

  /** Claim and send one batch; answers how many rows it handled. */
  async runOnce(): Promise<number> {
    const rows = await this.d.sql<Row[]>`
      with due as (
        select id from notify_deliveries
        where status in ('pending', 'sending') and next_attempt_at <= now() and (claimed_until is null or claimed_until < now())
        order by next_attempt_at, id limit ${BATCH} for update skip locked)
      update notify_deliveries d set status = 'sending', claimed_by = ${this.me}, claimed_until = now() + make_interval(secs => ${CLAIM_S}), attempts = d.attempts + 1
      from due, notify_rules r, notify_channels c
      where d.id = due.id and r.id = d.rule_id and c.id = d.channel_id
      returning d.id, d.rule_id, d.channel_id, d.event_id, d.event_type, d.slug, d.stream_key, d.event_at, d.event, d.attempts,
        d.recorded_at, d.first_sent_at, c.type as ch_type, c.config as ch_config, c.secret as ch_secret,
        (c.broken_at is not null) as ch_broken, r.owner_id, r.template`
    if (!rows.length) return 0
    const byChannel = new Map<string, Row[]>()
    for (const r of rows) byChannel.set(r.channel_id, [...(byChannel.get(r.channel_id) ?? []), r])
    await Promise.all(
      [...byChannel.values()].map(async (list) => {
        list.sort((a, b) => a.event_at.getTime() - b.event_at.getTime() || Number(a.id) - Number(b.id))
        for (const r of list) await this.locks.run(r.channel_id, () => this.deliver(r)).catch((err) => this.d.log.error({ err, delivery: r.id }, 'delivery crashed'))
      }),
    )
    return rows.length
  }

  private async release(r: Row, at: number, note?: string) {
    // Not an attempt: handed back untouched for later.
    await this.d.sql`update notify_deliveries set status = 'pending', claimed_until = null, attempts = attempts - 1,
      next_attempt_at = ${new Date(at)} ${note ? this.d.sql`, note = ${note}` : this.d.sql``} where id = ${r.id}`
  }

  private async deliver(r: Row) {
    const d = this.d
    // Renew the claim just before the work: a row that waited behind others on its channel
    // past its claim may have been taken over by another instance, which then sends it.
    const [mine] = await d.sql`update notify_deliveries set claimed_until = now() + make_interval(secs => ${CLAIM_S})
      where id = ${r.id} and claimed_by = ${this.me} and status = 'sending' and claimed_until > now() returning id`
    if (!mine) return
    if (r.ch_broken) return this.finish(r, 'failed', { ok: false, status: null, answer: null, error: 'the channel is broken' })
    const wait = this.notBefore.get(r.channel_id) ?? 0
    if (wait > Date.now()) return this.release(r, wait)
    const provider = PROVIDERS[r.ch_type]
    const event = StatusEvent.parse(r.event)

    // Edit-capable channels: every event after the start edits the stream's message.
    let ref: string | null = null
    if (provider.edits) {
      const [m] = await d.sql<{ message_ref: string }[]>`
        select message_ref from notify_messages where rule_id = ${r.rule_id} and slug = ${r.slug} and stream_key = ${r.stream_key}`
      ref = m?.message_ref ?? null
      if (!ref && r.event_type !== 'online') {
        // The start's message is still on its way: wait for it rather than post a second one.
        const [first] = await d.sql<{ id: string }[]>`
          select id from notify_deliveries where rule_id = ${r.rule_id} and slug = ${r.slug} and stream_key = ${r.stream_key}
            and event_type = 'online' and status in ('pending', 'sending') and next_attempt_at < 'infinity'`
        if (first) return this.release(r, Date.now() + 1000)
      }
      if (r.event_type === 'offline' && ref)
        await d.sql`update notify_messages set ended = true where rule_id = ${r.rule_id} and slug = ${r.slug} and stream_key = ${r.stream_key}`
    }

    const summary = r.event_type === 'offline' ? await summaryOf(d.nc, event, this.live) : null
    const notice = noticeOf(event, d.config.KICK_WEB_URL, this.live.get(r.slug), summary)
    const text = await render(r.ch_type, notice, r.template)
    let cfg: Record<string, any>
    try {
      cfg = openConfig(d, { type: r.ch_type, config: r.ch_config, secret: r.ch_secret })
    } catch {
      return this.finish(r, 'failed', { ok: false, status: null, answer: null, error: 'the channel secret cannot be opened (was NOTIFY_ENCRYPTION_KEY changed?)' })
    }
    let firstByte = false
    const result = await provider.send(cfg, {
      notice, text: text.text, custom: !text.usedDefault, mode: ref ? 'edit' : 'post', ref,
      messageId: r.ch_type === 'ntfy' ? sequenceId(r) : `msg_${r.id}`,
      onRequest: () => {
        if (firstByte || r.first_sent_at) return
        firstByte = true
        d.metrics.latency.observe({ channel_type: r.ch_type }, Math.max(0, (Date.now() - Date.parse(event.at)) / 1000))
      },
    }, d.providerEnv)
    if (result.retryAfterS) this.notBefore.set(r.channel_id, Date.now() + result.retryAfterS * 1000)
    const note = text.error
    if (result.ok) return this.finish(r, 'sent', result, note, provider.edits ? result.ref : undefined)
    if (result.broken) {
      await this.finish(r, 'failed', { ...result, error: result.error ?? result.broken }, note)
      await markBroken(d, r.channel_id, result.broken)
      d.metrics.deliveries.inc({ channel_type: r.ch_type, outcome: 'broken' })
      return
    }
    if (result.permanent || r.attempts >= MAX_ATTEMPTS) return this.finish(r, 'failed', result, note)
    const delay = result.retryAfterS ?? backoffS(r.attempts)
    await d.sql`update notify_deliveries set status = 'pending', claimed_until = null, next_attempt_at = now() + make_interval(secs => ${delay}),
      provider_status = ${result.status}, provider_answer = ${result.answer}, error = ${result.error}, note = ${note},
      first_sent_at = coalesce(first_sent_at, now())
      where id = ${r.id}`
    d.metrics.deliveries.inc({ channel_type: r.ch_type, outcome: 'retry' })
    d.log.info({ delivery: Number(r.id), channel: Number(r.channel_id), attempt: r.attempts, retry_in_s: Math.round(delay), error: result.error }, 'delivery failed; will retry')
  }

  private async finish(r: Row, status: 'sent' | 'failed', result: SendResult, note?: string | null, ref?: string) {
    const d = this.d
    const [row] = await d.sql.begin(async (tx) => {
      if (ref)
        await tx`insert into notify_messages (rule_id, slug, stream_key, message_ref, ended)
          values (${r.rule_id}, ${r.slug}, ${r.stream_key}, ${ref}, ${r.event_type === 'offline'})
          on conflict (rule_id, slug, stream_key) do update set message_ref = excluded.message_ref, last_edit_at = now(),
            ended = notify_messages.ended or excluded.ended`
      return tx<{ done_at: Date; status: Delivery['status'] }[]>`
        update notify_deliveries set status = ${status}, claimed_until = null, provider_status = ${result.status},
          provider_answer = ${result.answer}, error = ${result.ok ? null : result.error}, note = coalesce(${note ?? null}, note),
          first_sent_at = coalesce(first_sent_at, case when ${result.status !== null} then now() end), done_at = now()
        where id = ${r.id} returning done_at, status`
    })
    if (ref && r.event_type !== 'offline') this.onMessage(r.slug)
    d.metrics.deliveries.inc({ channel_type: r.ch_type, outcome: status })
    const delivery: Delivery = {
      id: Number(r.id), rule_id: Number(r.rule_id), channel_id: Number(r.channel_id), channel_type: r.ch_type, event_id: r.event_id,
      event_type: r.event_type, slug: r.slug, event_at: iso(r.event_at), status: row?.status ?? status, attempts: r.attempts,
      provider_status: result.status, provider_answer: result.answer, error: result.ok ? null : result.error, note: note ?? null,
      recorded_at: iso(r.recorded_at), done_at: row ? iso(row.done_at) : null,
    }
    d.nc.publish(DELIVERY_UPDATES_SUBJECT, JSON.stringify({ delivery, owner_id: r.owner_id }))
    d.log.info({ delivery: delivery.id, channel: delivery.channel_id, type: r.ch_type, status, provider_status: result.status, event: r.event_id }, `delivery ${status}`)
  }
}

/** ntfy's sequence id: the same for every message about one stream and rule. */
export function sequenceId(r: Pick<Row, 'rule_id' | 'slug' | 'stream_key'>) {
  return `kickmon-${r.rule_id}-${new Bun.CryptoHasher('sha256').update(`${r.slug}\n${r.stream_key}`).digest('hex').slice(0, 16)}`
}
