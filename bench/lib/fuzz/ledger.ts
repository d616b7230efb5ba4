import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Sql } from '../../../shared/src/db.ts'
import { EVENTS_STREAM, WEBHOOKS_STREAM } from '../../../shared/src/contracts/names.ts'

// "Nothing recorded from a rejected input": a fingerprint of everything an input could
// write, taken before and after it. Rows are counted; small tables people edit are hashed
// (without the columns that change on every read, like last_seen_at). Deliberately left out:
// login_failures and audit_log (rejected logins and denied actions are recorded there by
// design), viewer_samples (the poller samples live streams every poll).

const COUNTED = ['streamers', 'status_events', 'stream_sessions', 'users', 'user_sessions', 'user_streamers', 'api_keys', 'configuration', 'public_pages', 'share_links']

export type Fingerprint = Record<string, string | number>

export class Ledger {
  private constructor(
    private readonly sql: Sql,
    private readonly jsm: JetStreamManager,
  ) {}

  static async open(sql: Sql, nc: NatsConnection) {
    return new Ledger(sql, await jetstreamManager(nc))
  }

  async take(): Promise<Fingerprint> {
    const [row] = await this.sql.unsafe(`select ${COUNTED.map((t) => `(select count(*)::int from ${t}) as ${t}`).join(', ')},
      (select md5(coalesce(string_agg(concat_ws('|', id, username, display_name, role, disabled, password_hash), ',' order by id), '')) from users) as users_hash,
      (select md5(coalesce(string_agg(concat_ws('|', id, name, scope, revoked_at), ',' order by id), '')) from api_keys) as api_keys_hash,
      (select md5(coalesce(string_agg(concat_ws('|', user_id, slug), ',' order by user_id, slug), '')) from user_streamers) as assignments_hash,
      (select md5(coalesce(string_agg(concat_ws('|', key, value), ',' order by key), '')) from configuration) as configuration_hash,
      (select md5(coalesce(string_agg(concat_ws('|', slug, archived_at is not null), ',' order by slug), '')) from streamers) as streamers_hash,
      (select count(*)::int from user_sessions where revoked_at is not null) as revoked_sessions`)
    const fp: Fingerprint = { ...(row as Fingerprint) }
    for (const s of [WEBHOOKS_STREAM, EVENTS_STREAM]) {
      const info = await this.jsm.streams.info(s).catch(() => null)
      fp[`${s}.last_seq`] = info?.state.last_seq ?? -1
    }
    return fp
  }

  /** The fingerprint keys that differ. */
  static diff(a: Fingerprint, b: Fingerprint): string[] {
    return Object.keys({ ...a, ...b }).filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} → ${b[k]}`)
  }

  /** Until nothing has changed for `stableMs` (setup writes trickling in would look like findings). */
  async quiet(stableMs = 3000, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs
    let last = await this.take()
    let since = Date.now()
    while (Date.now() - since < stableMs) {
      if (Date.now() > deadline) throw new Error(`the system never went quiet: ${Ledger.diff(last, await this.take()).join('; ')}`)
      await Bun.sleep(250)
      const now = await this.take()
      if (Ledger.diff(last, now).length) (last = now), (since = Date.now())
    }
  }

  /** Until every consumer of KICK_WEBHOOKS (one per poller instance) has applied or terminated all deliveries. */
  async webhooksConsumed(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const consumers = await this.jsm.consumers.list(WEBHOOKS_STREAM).next().catch(() => [])
      if (consumers.length && consumers.every((c) => c.num_pending === 0 && c.num_ack_pending === 0)) return true
      await Bun.sleep(20)
    }
    return false
  }
}

/** Signs an answer must never carry: stack frames, source paths, raw error names. */
export function leaks(text: string): string | null {
  const patterns: [RegExp, string][] = [
    [/^\s+at .+[:(]\d+/m, 'stack frame'],
    [/\bat \S+ \((?:\/|file:)/, 'stack frame'],
    [/\/(?:work|home|root|usr|tmp)\/[\w./-]+\.(?:ts|js)/, 'source path'],
    [/node_modules/, 'node_modules path'],
    [/\b(?:TypeError|ReferenceError|SyntaxError|RangeError|PostgresError|JetStreamApiError|ZodError)\b/, 'raw error name'],
    [/\bpostgres(?:ql)?:\/\//i, 'connection string'],
  ]
  for (const [re, what] of patterns) {
    const m = text.match(re)
    if (m) return `${what}: ${JSON.stringify(m[0].slice(0, 120))}`
  }
  return null
}
