import { createHash, createPrivateKey, createPublicKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { kick } from './http.ts'
import type { Router } from './router.ts'

// Webhook signing (docs/kick-api.md#signatures): RSA-2048, PKCS#1 v1.5 + SHA-256 over
// `messageId.timestamp.body`, base64. The key pair is the simulator's own: random per
// start, or derived from a seed so a restarted simulator keeps the key a receiver pinned.

const keyCache = new Map<string, KeyObject>()

export type SignerOptions = { keySeed?: string; privateKeyPem?: string }

export class Signer {
  private key: KeyObject | null = null
  private pem: string | null = null
  constructor(private readonly opts: SignerOptions = {}) {}

  /** Generated on first use, so creating a simulator in a test costs nothing until it signs. */
  private privateKey(): KeyObject {
    if (this.key) return this.key
    if (this.opts.privateKeyPem) this.key = createPrivateKey(this.opts.privateKeyPem)
    else if (this.opts.keySeed !== undefined) {
      const seed = this.opts.keySeed
      this.key = keyCache.get(seed) ?? seededRsaKey(seed)
      keyCache.set(seed, this.key)
    } else this.key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    return this.key
  }

  get publicKeyPem(): string {
    this.pem ??= createPublicKey(this.privateKey()).export({ type: 'spki', format: 'pem' }).toString().trim()
    return this.pem
  }

  sign(messageId: string, timestamp: string, body: string): string {
    return createSign('RSA-SHA256').update(`${messageId}.${timestamp}.${body}`).sign(this.privateKey(), 'base64')
  }
}

export function publicKeyRoutes(router: Router, signer: Signer): void {
  // Served without auth, like Kick's rendered example.
  router.add('GET', '/public/v1/public-key', 'api', () => kick.ok({ public_key: signer.publicKeyPem }), { auth: false })
}

// ---- deterministic RSA from a seed (BigInt; ~0.1–0.5 s once per seed per process) ---------

function seededRsaKey(seed: string): KeyObject {
  let counter = 0
  const bytes = (n: number): Buffer => {
    const out: Buffer[] = []
    let len = 0
    while (len < n) {
      const b = createHash('sha256').update(`kick-sim-rsa:${seed}:${counter++}`).digest()
      out.push(b)
      len += b.length
    }
    return Buffer.concat(out).subarray(0, n)
  }
  const randBig = (nbytes: number): bigint => BigInt(`0x${bytes(nbytes).toString('hex')}`)
  const e = 65537n
  const prime = (): bigint => {
    for (;;) {
      // 1024 bits with the top two bits set (so p·q has 2048 bits), odd.
      let c = randBig(128) | (3n << 1022n) | 1n
      for (let i = 0; i < 2000; i++, c += 2n) {
        if (!SMALL_PRIMES.every((sp) => c % sp !== 0n)) continue
        if ((c - 1n) % e === 0n) continue
        if (millerRabin(c, 24, () => 2n + (randBig(128) % (c - 4n)))) return c
      }
    }
  }
  let p = prime()
  let q = prime()
  while (q === p) q = prime()
  if (p < q) [p, q] = [q, p]
  const n = p * q
  const phi = (p - 1n) * (q - 1n)
  const d = modInv(e, phi)
  const b64 = (x: bigint): string => {
    let h = x.toString(16)
    if (h.length % 2) h = `0${h}`
    return Buffer.from(h, 'hex').toString('base64url')
  }
  return createPrivateKey({
    format: 'jwk',
    key: { kty: 'RSA', n: b64(n), e: b64(e), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(modInv(q, p)) },
  })
}

const SMALL_PRIMES: bigint[] = (() => {
  const out: bigint[] = []
  for (let i = 3; i < 2000; i += 2) if (out.every((p) => i % Number(p) !== 0)) out.push(BigInt(i))
  return out
})()

function modPow(b: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n
  b %= m
  while (exp > 0n) {
    if (exp & 1n) r = (r * b) % m
    exp >>= 1n
    b = (b * b) % m
  }
  return r
}

function millerRabin(n: bigint, rounds: number, base: () => bigint): boolean {
  let d = n - 1n
  let s = 0
  while ((d & 1n) === 0n) {
    d >>= 1n
    s++
  }
  outer: for (let i = 0; i < rounds; i++) {
    let x = modPow(base(), d, n)
    if (x === 1n || x === n - 1n) continue
    for (let r = 1; r < s; r++) {
      x = (x * x) % n
      if (x === n - 1n) continue outer
    }
    return false
  }
  return true
}

function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [a % m, m]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const qt = r0 / r1
    ;[r0, r1] = [r1, r0 - qt * r1]
    ;[s0, s1] = [s1, s0 - qt * s1]
  }
  if (r0 !== 1n) throw new Error('not invertible')
  return ((s0 % m) + m) % m
}
