import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

// Channel secrets at rest: AES-256-GCM under NOTIFY_ENCRYPTION_KEY, a fresh 96-bit nonce per
// write, the channel type as associated data. Stored as `v1.<nonce>.<ciphertext>.<tag>`.

const NONCE_BYTES = 12
const TAG_BYTES = 16
const aad = (type: string) => Buffer.from(`kickmon-notify:${type}`)

export class Sealer {
  private readonly key: Buffer
  constructor(hexKey: string) {
    this.key = Buffer.from(hexKey, 'hex')
  }

  seal(type: string, plaintext: string): string {
    const iv = randomBytes(NONCE_BYTES)
    const c = createCipheriv('aes-256-gcm', this.key, iv).setAAD(aad(type))
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()])
    return ['v1', iv.toString('base64url'), ct.toString('base64url'), c.getAuthTag().toString('base64url')].join('.')
  }

  open(type: string, stored: string): string {
    const [v, iv, ct, tag, ...rest] = stored.split('.')
    if (v !== 'v1' || iv === undefined || ct === undefined || tag === undefined || rest.length) throw new Error('unknown ciphertext format')
    const nonce = Buffer.from(iv, 'base64url')
    const t = Buffer.from(tag, 'base64url')
    if (nonce.length !== NONCE_BYTES || t.length !== TAG_BYTES) throw new Error('unknown ciphertext format')
    const d = createDecipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG_BYTES }).setAAD(aad(type))
    d.setAuthTag(t)
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8')
  }
}
