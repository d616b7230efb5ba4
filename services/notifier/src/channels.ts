import { z } from 'zod'
import { MASK } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import { CHANNEL_CONFIGS, SECRET_FIELDS, type Channel, type ChannelType } from '@kickmon/shared/contracts/notifier'
import { parseInput } from '@kickmon/shared/validation'
import { iso, type NotifierDeps } from './deps.ts'
import { isAdmin, requireOwner, type Principal } from './principal.ts'
import { newSigningSecret } from './providers/webhook.ts'
import { checkUrlShape, UrlRefused } from './safe-fetch.ts'

// Channels: where messages go. The type's settings are validated by its zod schema; the
// secret fields are sealed at rest and masked in every answer.

export type ChannelRow = {
  id: string; owner_id: number | null; type: ChannelType; name: string; config: Record<string, unknown>; secret: string
  broken_at: Date | null; broken_reason: string | null; created_at: Date; updated_at: Date
}

const URL_FIELDS: Partial<Record<ChannelType, string>> = { discord: 'webhook_url', telegram: 'api_url', ntfy: 'server_url', slack: 'webhook_url', webhook: 'url' }

/** Validate a type's settings: the schema, then the URL rule (422 naming `config.<field>`). */
export function validateConfig(d: Pick<NotifierDeps, 'config'>, type: ChannelType, raw: unknown): Record<string, unknown> {
  const parsed = parseInput(z.object({ config: CHANNEL_CONFIGS[type] }), { config: raw }).config as Record<string, unknown>
  const field = URL_FIELDS[type]
  if (field) {
    try {
      checkUrlShape(String(parsed[field]), { allowHosts: d.config.NOTIFY_ALLOW_HOSTS, channelType: type })
    } catch (e) {
      if (e instanceof UrlRefused) throw new AppError('VALIDATION', `config.${field}: ${e.message}`)
      throw e
    }
  }
  if (type === 'email' && !d.config.SMTP_URL) throw new AppError('VALIDATION', 'type: email needs SMTP_URL, which the operator has not set')
  return parsed
}

function split(type: ChannelType, cfg: Record<string, unknown>) {
  const open: Record<string, unknown> = {}
  const secret: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(cfg)) (SECRET_FIELDS[type].includes(k) ? secret : open)[k] = v
  return { open, secret }
}

/** Show enough of a secret to recognise it, never enough to use it. */
function maskValue(field: string, v: unknown): string {
  const s = String(v)
  if (field.endsWith('url') && URL.canParse(s)) return `${new URL(s).origin}/${MASK}`
  if (field === 'bot_token') return `${s.split(':')[0]}:${MASK}`
  return MASK
}

// Stored `config` = the open fields plus `_masked`: for each secret field, the masked form
// answers show (so answers never need the key).
export function present(row: ChannelRow): Channel {
  const { _masked, ...open } = row.config as Record<string, unknown> & { _masked?: Record<string, string> }
  return {
    id: Number(row.id), owner_id: row.owner_id, type: row.type, name: row.name, config: { ...open, ...(_masked ?? {}) },
    broken: row.broken_at !== null, broken_reason: row.broken_reason, created_at: iso(row.created_at), updated_at: iso(row.updated_at),
  }
}

function stored(type: ChannelType, cfg: Record<string, unknown>) {
  const { open, secret } = split(type, cfg)
  const masked: Record<string, string> = {}
  for (const [k, v] of Object.entries(secret)) if (v !== undefined) masked[k] = maskValue(k, v)
  return { open: { ...open, _masked: masked }, secret }
}

/** The full settings, secrets opened: only for sending. */
export function openConfig(d: Pick<NotifierDeps, 'sealer'>, row: Pick<ChannelRow, 'type' | 'config' | 'secret'>): Record<string, any> {
  const secret = JSON.parse(d.sealer.open(row.type, row.secret)) as Record<string, unknown>
  const { _masked, ...open } = row.config as Record<string, unknown>
  return { ...open, ...secret }
}

export async function createChannel(d: NotifierDeps, p: Principal, type: ChannelType, name: string, raw: unknown): Promise<{ channel: Channel; secret?: string }> {
  const cfg = validateConfig(d, type, raw)
  const signing = type === 'webhook' ? newSigningSecret() : undefined
  const { open, secret } = stored(type, cfg)
  const sealed = d.sealer.seal(type, JSON.stringify({ ...secret, ...(signing ? { signing_secret: signing } : {}) }))
  const [row] = await d.sql<ChannelRow[]>`
    insert into notify_channels (owner_id, type, name, config, secret)
    values (${p.userId}, ${type}, ${name}, ${d.sql.json(open as never)}, ${sealed}) returning *`
  return { channel: present(row!), ...(signing ? { secret: signing } : {}) }
}

export async function getChannelRow(d: NotifierDeps, p: Principal, id: number): Promise<ChannelRow> {
  const [row] = await d.sql<ChannelRow[]>`select * from notify_channels where id = ${id}`
  if (!row) throw new AppError('NOT_FOUND', 'there is no channel with that id')
  requireOwner(p, row.owner_id, 'channel')
  return row
}

export async function listChannels(d: NotifierDeps, p: Principal): Promise<Channel[]> {
  const rows = await d.sql<ChannelRow[]>`
    select * from notify_channels ${isAdmin(p) ? d.sql`` : d.sql`where owner_id = ${p.userId}`} order by id`
  return rows.map(present)
}

export async function updateChannel(d: NotifierDeps, p: Principal, id: number, patch: { name?: string; config?: Record<string, unknown> }): Promise<Channel> {
  const row = await getChannelRow(d, p, id)
  const name = patch.name ?? row.name
  if (!patch.config) {
    const [r] = await d.sql<ChannelRow[]>`update notify_channels set name = ${name}, updated_at = now() where id = ${id} returning *`
    return present(r!)
  }
  const cfg = validateConfig(d, row.type, patch.config)
  const { open, secret } = stored(row.type, cfg)
  // A webhook keeps its signing secret across URL changes (receivers hold it).
  const keep = row.type === 'webhook' ? { signing_secret: openConfig(d, row).signing_secret } : {}
  const sealed = d.sealer.seal(row.type, JSON.stringify({ ...secret, ...keep }))
  // New settings are a repair: the channel is tried again.
  const [r] = await d.sql<ChannelRow[]>`
    update notify_channels set name = ${name}, config = ${d.sql.json(open as never)}, secret = ${sealed},
      broken_at = null, broken_reason = null, updated_at = now()
    where id = ${id} returning *`
  return present(r!)
}

export async function deleteChannel(d: NotifierDeps, p: Principal, id: number) {
  await getChannelRow(d, p, id)
  await d.sql`delete from notify_channels where id = ${id}`
}

/** A deleted user's channels go with them (their rules and deliveries follow by cascade). */
export async function deleteOwnersChannels(d: Pick<NotifierDeps, 'sql' | 'log'>, userId: number) {
  try {
    const r = await d.sql`delete from notify_channels where owner_id = ${userId}`
    if (r.count) d.log.info({ user: userId, channels: r.count }, 'a deleted user\'s channels were removed')
  } catch (err) {
    d.log.warn({ err: (err as Error).message, user: userId }, 'removing a deleted user\'s channels failed')
  }
}

/** A permanent provider refusal: nothing more is sent or retried on this channel. */
export async function markBroken(d: NotifierDeps, channelId: string | number, reason: string) {
  await d.sql.begin(async (tx) => {
    await tx`update notify_channels set broken_at = now(), broken_reason = ${reason.slice(0, 500)} where id = ${channelId} and broken_at is null`
    await tx`update notify_deliveries set status = 'failed', error = 'the channel is broken: ' || ${reason.slice(0, 300)}, done_at = now(), claimed_until = null
      where channel_id = ${channelId} and status = 'pending'`
  })
  d.log.warn({ channel: Number(channelId), reason }, 'channel marked broken')
}
