import { randomBytes } from 'node:crypto'

// ULIDs (Kick's subscription and message ids): 48-bit ms time + 80 random bits, Crockford
// base32, monotonic inside one millisecond so ids sort in creation order.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

let lastTime = -1
let lastRandom: number[] = []

function encodeTime(ms: number): string {
  let out = ''
  for (let i = 9; i >= 0; i--) {
    const mod = ms % 32
    out = ALPHABET[mod] + out
    ms = (ms - mod) / 32
  }
  return out
}

export function ulid(now = Date.now()): string {
  if (now === lastTime) {
    // Increment the 80-bit random part (16 base32 digits) as a big number.
    let i = lastRandom.length - 1
    while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0
    if (i >= 0) lastRandom[i] = (lastRandom[i] ?? 0) + 1
  } else {
    lastTime = now
    const bytes = randomBytes(16)
    lastRandom = Array.from(bytes, (b) => b & 31)
    lastRandom[0] = (lastRandom[0] ?? 0) & 15 // headroom so increments never overflow
  }
  return encodeTime(now) + lastRandom.map((d) => ALPHABET[d]).join('')
}

export const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/
