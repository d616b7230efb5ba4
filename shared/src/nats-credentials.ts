import { readFileSync } from 'node:fs'
import { fromSeed } from '@nats-io/nkeys'
import { credsAuthenticator, nkeyAuthenticator, type Authenticator } from '@nats-io/transport-node'
import { z } from 'zod'

// How a process proves who it is to nats-server (docs/nats.md "Identities and permissions"):
// standard nats-server credentials only, read from files so no secret sits in the environment
// or a URL. Each variable is checked when the config is parsed, so a missing, unreadable or
// malformed file stops the process with one line naming the variable (never its content).

const USER_SEED = /^SU[A-Z2-7]{56}$/
const CREDS_JWT = /-----BEGIN NATS USER JWT-----\s*\n\s*([A-Za-z0-9_.=-]+)\s*\n\s*-*END NATS USER JWT-*/
const CREDS_SEED = /-----BEGIN USER NKEY SEED-----\s*\n\s*(SU[A-Z2-7]{56})\s*\n\s*-*END USER NKEY SEED-*/

function readable(path: string, ctx: z.RefinementCtx): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    ctx.addIssue({ code: 'custom', message: code === 'ENOENT' ? `no such file: ${path}` : code === 'EACCES' ? `cannot read ${path}: permission denied` : `cannot read ${path} (${code ?? 'error'})` })
    return null
  }
}

const validSeed = (seed: string) => {
  try {
    fromSeed(new TextEncoder().encode(seed))
    return true
  } catch {
    return false
  }
}

/** A user nkey seed file (`SU…`, as `nk -gen user` or `bun run start` writes it). */
const seedFile = z.string().min(1).superRefine((path, ctx) => {
  const text = readable(path, ctx)
  if (text === null) return
  const seed = text.trim()
  if (!USER_SEED.test(seed) || !validSeed(seed)) ctx.addIssue({ code: 'custom', message: `${path} does not hold a NATS user nkey seed (one line starting with SU)` })
})

/** A `.creds` file: a user JWT and its nkey seed, as `nsc` or any NATS operator issues them. */
const credsFile = z.string().min(1).superRefine((path, ctx) => {
  const text = readable(path, ctx)
  if (text === null) return
  const seed = CREDS_SEED.exec(text)?.[1]
  if (!CREDS_JWT.test(text) || !seed || !validSeed(seed)) ctx.addIssue({ code: 'custom', message: `${path} is not a NATS .creds file (a user JWT block and a user nkey seed block)` })
})

/** A PEM file (CA, certificate or key) for TLS to nats-server. */
const pemFile = z.string().min(1).superRefine((path, ctx) => {
  const text = readable(path, ctx)
  if (text !== null && !text.includes('-----BEGIN ')) ctx.addIssue({ code: 'custom', message: `${path} is not a PEM file` })
})

/** Spread into a service's schema through `natsVars` (shared/src/config.ts). */
export const NatsCredentialVars = {
  NATS_CREDS: credsFile.optional(),
  NATS_NKEY_SEED_FILE: seedFile.optional(),
  NATS_TLS_CA: pemFile.optional(),
  NATS_TLS_CERT: pemFile.optional(),
  NATS_TLS_KEY: pemFile.optional(),
}

export type NatsCredentials = { [K in keyof typeof NatsCredentialVars]?: string }

/** The checks that involve two variables, as a refinement of the schema: reported like any other. */
export function checkNatsCredentialPairs(c: NatsCredentials, ctx: z.RefinementCtx): void {
  if (c.NATS_CREDS && c.NATS_NKEY_SEED_FILE) ctx.addIssue({ code: 'custom', path: ['NATS_CREDS'], message: 'set NATS_CREDS or NATS_NKEY_SEED_FILE, not both' })
  if (!!c.NATS_TLS_CERT !== !!c.NATS_TLS_KEY) ctx.addIssue({ code: 'custom', path: [c.NATS_TLS_CERT ? 'NATS_TLS_KEY' : 'NATS_TLS_CERT'], message: 'NATS_TLS_CERT and NATS_TLS_KEY go together (a client certificate and its key)' })
}

/**
 * The connect options for these credentials: nats.js's own authenticators (the file is read
 * again on every (re)connect, so a rotated key is picked up without a restart) and TLS files.
 */
export function natsAuthOptions(c: NatsCredentials): { authenticator?: Authenticator; tls?: { caFile?: string; certFile?: string; keyFile?: string } } {
  const out: ReturnType<typeof natsAuthOptions> = {}
  if (c.NATS_CREDS) {
    const path = c.NATS_CREDS
    out.authenticator = (nonce?: string) => credsAuthenticator(new Uint8Array(readFileSync(path)))(nonce)
  } else if (c.NATS_NKEY_SEED_FILE) {
    const path = c.NATS_NKEY_SEED_FILE
    out.authenticator = (nonce?: string) => nkeyAuthenticator(new TextEncoder().encode(readFileSync(path, 'utf8').trim()))(nonce)
  }
  if (c.NATS_TLS_CA || c.NATS_TLS_CERT) out.tls = { caFile: c.NATS_TLS_CA, certFile: c.NATS_TLS_CERT, keyFile: c.NATS_TLS_KEY }
  return out
}

/** A NATS URL for logs and messages: any `user:pass@` is replaced. */
export const redactNatsUrl = (url: string) => url.replace(/\/\/[^@/,]*@/g, '//***@')
