import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { AppError } from '@kickmon/shared/errors'
import { MASK, type ConfigEntry } from '@kickmon/shared/contracts/auth'
import type { Principal } from './actors.ts'
import { audit } from './audit.ts'
import { iso, type AuthDeps } from './deps.ts'

// Key/value configuration. Secrets are sealed with AES-256-GCM (key CONFIG_ENCRYPTION_KEY,
// a fresh 96-bit nonce per write, the entry's key as associated data so a ciphertext cannot be
// moved to another key). Stored as `v1.<nonce>.<ciphertext>.<tag>` (base64url).

type Row = { key: string; value: string; encrypted: boolean; updated_at: Date; updated_by: number | null }

const aad = (key: string) => Buffer.from(`kickmon-config:${key}`)
const keyBytes = (deps: Pick<AuthDeps, 'config'>) => Buffer.from(deps.config.CONFIG_ENCRYPTION_KEY, 'hex')

export function seal(deps: Pick<AuthDeps, 'config'>, key: string, plaintext: string): string {
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', keyBytes(deps), iv).setAAD(aad(key))
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()])
  return ['v1', iv.toString('base64url'), ct.toString('base64url'), c.getAuthTag().toString('base64url')].join('.')
}

// GCM takes tags as short as 4 bytes unless the length is pinned, and base64url decoding skips
// stray characters: only the exact shape seal() writes is opened.
const NONCE_BYTES = 12
const TAG_BYTES = 16
const B64URL = /^[A-Za-z0-9_-]*$/
const b64 = (s: string, bytes?: number): Buffer => {
  const b = Buffer.from(s, 'base64url')
  if (!B64URL.test(s) || b.toString('base64url') !== s) throw new Error('unknown ciphertext format')
  if (bytes !== undefined && b.length !== bytes) throw new Error(`the nonce must be ${NONCE_BYTES} bytes and the tag ${TAG_BYTES} bytes`)
  return b
}

export function open(deps: Pick<AuthDeps, 'config'>, key: string, stored: string): string {
  const [v, iv, ct, tag, ...rest] = stored.split('.')
  if (v !== 'v1' || iv === undefined || ct === undefined || tag === undefined || rest.length) throw new Error('unknown ciphertext format')
  const d = createDecipheriv('aes-256-gcm', keyBytes(deps), b64(iv, NONCE_BYTES), { authTagLength: TAG_BYTES }).setAAD(aad(key))
  d.setAuthTag(b64(tag, TAG_BYTES))
  return Buffer.concat([d.update(b64(ct)), d.final()]).toString('utf8')
}

function present(deps: AuthDeps, r: Row, reveal: boolean): ConfigEntry {
  let value = r.value
  if (r.encrypted) {
    if (!reveal) value = MASK
    else {
      try {
        value = open(deps, r.key, r.value)
      } catch (err) {
        deps.log.error({ err, key: r.key }, 'cannot decrypt a configuration value (was CONFIG_ENCRYPTION_KEY changed?)')
        throw new AppError('INTERNAL', `the value of "${r.key}" cannot be decrypted with the current CONFIG_ENCRYPTION_KEY`)
      }
    }
  }
  return { key: r.key, value, encrypted: r.encrypted, updated_at: iso(r.updated_at), updated_by: r.updated_by }
}

/** Only a system actor may see a secret in clear, and only when it asks. */
function checkReveal(actor: Principal, reveal: boolean) {
  if (reveal && actor.kind !== 'system') throw new AppError('FORBIDDEN', 'only a system actor may reveal encrypted values')
}

export async function getConfig(deps: AuthDeps, actor: Principal, key: string, reveal: boolean): Promise<ConfigEntry> {
  checkReveal(actor, reveal)
  const [r] = await deps.sql<Row[]>`select key, value, encrypted, updated_at, updated_by from configuration where key = ${key}`
  if (!r) throw new AppError('NOT_FOUND', `there is no configuration key "${key}"`)
  return present(deps, r, reveal)
}

export async function listConfig(deps: AuthDeps, actor: Principal, prefix: string | undefined, reveal: boolean): Promise<ConfigEntry[]> {
  checkReveal(actor, reveal)
  const like = (prefix ?? '').replace(/[_%\\]/g, (c) => '\\' + c) + '%'
  const rows = await deps.sql<Row[]>`
    select key, value, encrypted, updated_at, updated_by from configuration where key like ${like} order by key limit 1000`
  return rows.map((r) => present(deps, r, reveal))
}

export async function setConfig(deps: AuthDeps, actor: Principal, key: string, value: string, encrypt: boolean): Promise<ConfigEntry> {
  const stored = encrypt ? seal(deps, key, value) : value
  const [r] = await deps.sql<Row[]>`
    insert into configuration (key, value, encrypted, updated_at, updated_by)
    values (${key}, ${stored}, ${encrypt}, now(), ${actor.userId})
    on conflict (key) do update set value = excluded.value, encrypted = excluded.encrypted, updated_at = now(), updated_by = excluded.updated_by
    returning key, value, encrypted, updated_at, updated_by`
  // Never the value itself in the audit log; for a plain value, its length only.
  await audit(deps.sql, { action: 'config.set', actor, target: `config:${key}`, details: { encrypted: encrypt, length: value.length } })
  return present(deps, r!, false)
}

export async function deleteConfig(deps: AuthDeps, actor: Principal, key: string): Promise<void> {
  const r = await deps.sql`delete from configuration where key = ${key}`
  if (!r.count) throw new AppError('NOT_FOUND', `there is no configuration key "${key}"`)
  await audit(deps.sql, { action: 'config.delete', actor, target: `config:${key}` })
}
