import { AppError } from '@kickmon/shared/errors'
import { PASSWORD_MAX, PASSWORD_MIN } from '@kickmon/shared/contracts/auth'
import { isCommonPassword } from './common-passwords.ts'

// Password hashing: argon2id at OWASP ASVS 5.0's floor (m=19456 KiB, t=2, p=1; ~27 ms here),
// at most two computations at once so a burst of logins cannot eat the box's memory and CPU.

export const ARGON2 = { algorithm: 'argon2id', memoryCost: 19456, timeCost: 2 } as const
const PARAMS_RE = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/

/** A counting semaphore with a bounded queue: beyond it, callers are told to retry. */
export class Semaphore {
  private active = 0
  private waiting: (() => void)[] = []
  constructor(
    readonly max: number,
    readonly maxQueue: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      if (this.waiting.length >= this.maxQueue)
        throw new AppError('RATE_LIMITED', 'too many sign-ins are being checked right now; try again in a second', { retry_after_s: 1 })
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    } else this.active++
    try {
      return await fn()
    } finally {
      const next = this.waiting.shift()
      if (next) next() // the slot passes straight to the next waiter
      else this.active--
    }
  }
}

// Passwords are compared as NFC so the same characters typed on different keyboards match.
const norm = (pw: string) => pw.normalize('NFC')

export class Passwords {
  private readonly gate = new Semaphore(2, 256)
  private dummy: string | null = null

  hash(pw: string): Promise<string> {
    return this.gate.run(() => Bun.password.hash(norm(pw), ARGON2))
  }

  /**
   * Verify against `hash`, or against a dummy hash when the user is unknown (same cost).
   * `before` runs once a hashing slot is ours (login re-checks its throttle there, so a burst
   * of parallel guesses queued behind the gate cannot all slip through).
   */
  async verify(pw: string, hash: string | null, before?: () => Promise<void>): Promise<boolean> {
    const target = hash ?? (await this.dummyHash())
    const ok = await this.gate.run(async () => {
      await before?.()
      return Bun.password.verify(norm(pw), target).catch(() => false)
    })
    return ok && hash !== null
  }

  /** True when a stored hash was made with other parameters (rehash it at the next login). */
  needsRehash(hash: string): boolean {
    const m = PARAMS_RE.exec(hash)
    return !m || Number(m[1]) !== ARGON2.memoryCost || Number(m[2]) !== ARGON2.timeCost || Number(m[3]) !== 1
  }

  async dummyHash(): Promise<string> {
    this.dummy ??= await this.hash(crypto.randomUUID())
    return this.dummy
  }
}

/**
 * ASVS 5.0 6.2: 8–128 characters, no composition rules, not a common password, not the
 * username. Throws VALIDATION naming `field`.
 */
export async function checkNewPassword(pw: string, username: string, field = 'password'): Promise<void> {
  const len = [...pw].length
  const fail = (message: string) => {
    throw new AppError('VALIDATION', `${field}: ${message}`, { issues: [{ path: field, message }] })
  }
  if (len < PASSWORD_MIN) fail(`a password needs at least ${PASSWORD_MIN} characters`)
  if (len > PASSWORD_MAX) fail(`a password may have at most ${PASSWORD_MAX} characters`)
  const lower = norm(pw).toLowerCase()
  if (isCommonPassword(pw)) fail('this password is one of the most common passwords; choose another')
  if (lower === username.toLowerCase()) fail('a password must not be the username')
}
