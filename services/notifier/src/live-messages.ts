import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { ChannelType } from '@kickmon/shared/contracts/notifier'
import { markBroken, openConfig } from './channels.ts'
import type { ChannelLocks } from './channel-lock.ts'
import type { NotifierDeps } from './deps.ts'
import type { LiveStatuses } from './live-statuses.ts'
import { noticeOf, streamKeyOf } from './notice.ts'
import { PROVIDERS } from './providers/index.ts'
import { render } from './templates.ts'

// While a stream runs, its message (Discord, Telegram, ntfy) is edited with the current
// viewers, title and category at most every `update_every_s` of its channel. The claim is one
// UPDATE on notify_messages, so of several instances exactly one edits. These edits are
// refreshes, not deliveries: a failed one is logged and the next status tries again.
// The same status feed releases start alerts held for `min_viewers`.

type Due = { rule_id: string; message_ref: string; channel_id: string; type: ChannelType; config: Record<string, unknown>; secret: string; template: string | null }

export class LiveMessages {
  /** Streamers with a message still open (so most statuses cost no query). */
  private open = new Set<string>()
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly d: NotifierDeps,
    private readonly live: LiveStatuses,
    private readonly locks: ChannelLocks,
    private readonly onReleased: () => void,
  ) {}

  async start() {
    await this.reload()
    this.timer = setInterval(() => void this.reload().catch(() => {}), 15_000)
    this.live.onStatus((s) => void this.onStatus(s).catch((err) => this.d.log.warn({ err: (err as Error).message, slug: s.slug }, 'live message refresh failed')))
  }

  stop() {
    if (this.timer) clearInterval(this.timer)
  }

  add(slug: string) {
    this.open.add(slug)
  }

  private async reload() {
    const rows = await this.d.sql<{ slug: string }[]>`select distinct slug from notify_messages where not ended`
    this.open = new Set(rows.map((r) => r.slug))
  }

  private async onStatus(s: StreamerStatus) {
    if (!s.live || !s.started_at) return
    const key = streamKeyOf({ type: 'online', status: s, previous: null })
    if (s.viewers !== null && s.viewers > 0) {
      const released = await this.d.sql`
        update notify_deliveries d set next_attempt_at = now(), note = ${`reached ${s.viewers} viewers`}
        from notify_rules r
        where r.id = d.rule_id and d.slug = ${s.slug} and d.stream_key = ${key} and d.event_type = 'online'
          and d.status = 'pending' and d.next_attempt_at = 'infinity' and r.min_viewers <= ${s.viewers}
        returning d.id`
      if (released.length) this.onReleased()
    }
    if (!this.open.has(s.slug)) return
    const due = await this.d.sql<Due[]>`
      update notify_messages m set last_edit_at = now()
      from notify_rules r, notify_channels c
      where r.id = m.rule_id and c.id = r.channel_id and m.slug = ${s.slug} and m.stream_key = ${key} and not m.ended
        and c.broken_at is null and c.type in ('discord', 'telegram', 'ntfy')
        and m.last_edit_at < now() - make_interval(secs => coalesce((c.config->>'update_every_s')::int, 300))
      returning m.rule_id, m.message_ref, c.id as channel_id, c.type, c.config, c.secret, r.template`
    for (const m of due) await this.locks.run(m.channel_id, () => this.edit(m, s))
  }

  private async edit(m: Due, s: StreamerStatus) {
    const notice = noticeOf({ id: `refresh:${s.slug}`, type: 'online', slug: s.slug, at: new Date().toISOString(), status: s, previous: null }, this.d.config.KICK_WEB_URL, s, null)
    const text = await render(m.type, notice, m.template)
    const cfg = openConfig(this.d, m)
    const r = await PROVIDERS[m.type].send(cfg, { notice, text: text.text, custom: !text.usedDefault, mode: 'edit', ref: m.message_ref, messageId: m.message_ref }, this.d.providerEnv)
    if (r.broken) await markBroken(this.d, m.channel_id, r.broken)
    else if (!r.ok) this.d.log.info({ channel: Number(m.channel_id), error: r.error, status: r.status }, 'live message edit failed; the next status tries again')
  }
}
