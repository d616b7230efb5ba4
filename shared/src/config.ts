import { isIP } from 'node:net'
import { z } from 'zod'
import { NatsCredentialVars, checkNatsCredentialPairs, type NatsCredentials } from './nats-credentials.ts'

// The settings several services read, as pieces of their schemas: each service's config.ts
// composes the ones it uses with its own (docs/design.md#configuration has the table of who
// reads what), and parseEnv reads it. Names and defaults are a contract.

export const port = (d: number) => z.coerce.number().int().min(0).max(65535).default(d)
export const onOff = z.enum(['on', 'off'])
/** Where a service listens: loopback unless told otherwise (a container or another machine). */
export const bindHost = z.string().refine((s) => isIP(s) !== 0, 'must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::)').default('127.0.0.1')
/** A signing secret; the demo default is fine on loopback only. */
export const secret = (d: string) => z.string().min(32, 'must be at least 32 characters').default(d)
/**
 * A 32-byte sealing key with no fallback: secrets sealed under a key everyone knows are not
 * sealed (`bun run start` generates one and keeps it in .data/). `why` says who needs it.
 */
export const requiredHexKey = (why: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string({ error: `required (${why}): generate one with openssl rand -hex 32` }).regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)'),
  )

export const logVars = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}

/** Where nats-server is and who this process is to it (docs/nats.md "Identities and permissions"). */
export const natsVars = {
  NATS_URL: z.string().regex(/^(nats|tls|ws|wss):\/\/\S+$/, 'must look like nats://host:port')
    .refine((s) => !/\/\/[^/@,]*@/.test(s), 'must not carry a user or password (the client ignores them): use NATS_CREDS or NATS_NKEY_SEED_FILE')
    .default('nats://127.0.0.1:4222'),
  ...NatsCredentialVars,
}

export const databaseVars = {
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/kickmon'),
}

/** Kick's three hosts; any server that speaks Kick's protocol can stand in for them. */
export const kickUrlVars = {
  KICK_API_URL: z.url().default('https://api.kick.com'),
  KICK_AUTH_URL: z.url().default('https://id.kick.com'),
  KICK_WEB_URL: z.url().default('https://kick.com'),
}

/**
 * A NATS service's schema: logging, NATS and its own settings (`own`), with the NATS credential
 * pairs checked.
 */
export function serviceSchema<T extends z.ZodRawShape>(own: T) {
  return z.object({ ...logVars, ...natsVars, ...own }).superRefine((c, ctx) => checkNatsCredentialPairs(c as NatsCredentials, ctx))
}

/** What shared's service runner reads from any service's config. */
export type ServiceConfig = z.output<ReturnType<typeof serviceSchema<{}>>> & { DATABASE_URL?: string }
