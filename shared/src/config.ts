import { z } from 'zod'
import { isIP } from 'node:net'
import { parseTrustedProxies } from './trusted-proxies.ts'
import { NatsCredentialVars, natsCredentialIssues } from './nats-credentials.ts'

// Every variable of docs/design.md#configuration. Each service parses the same schema once at start;
// defaults make a bare `bun run start` work, and anything malformed stops the process
// with one line naming the variable.
const port = (d: number) => z.coerce.number().int().min(0).max(65535).default(d)
const onOff = z.enum(['on', 'off'])
const url = z.url()
// Where a service listens: loopback unless told otherwise (a container or another machine).
const bindHost = z.string().refine((s) => isIP(s) !== 0, 'must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::)').default('127.0.0.1')

// Kick's published webhook key (docs/kick-api.md#signatures).
export const KICK_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAq/+l1WnlRrGSolDMA+A8
6rAhMbQGmQ2SapVcGM3zq8ANXjnhDWocMqfWcTd95btDydITa10kDvHzw9WQOqp2
MZI7ZyrfzJuz5nhTPCiJwTwnEtWft7nV14BYRDHvlfqPUaZ+1KR4OCaO/wWIk/rQ
L/TjY0M70gse8rlBkbo2a8rKhu69RQTRsoaf4DVhDPEeSeI5jVrRDGAMGL3cGuyY
6CLKGdjVEM78g3JfYOvDU/RvfqD7L89TZ3iN94jrmWdGz34JNlEI5hqK8dd7C5EF
BEbZ5jgB8s8ReQV8H+MkuffjdAj3ajDDX3DOJMIut1lBrUVD1AaSrGCKHooWoL2e
twIDAQAB
-----END PUBLIC KEY-----`

export const ConfigSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/kickmon'),
  NATS_URL: z.string().regex(/^(nats|tls|ws|wss):\/\/\S+$/, 'must look like nats://host:port')
    .refine((s) => !/\/\/[^/@,]*@/.test(s), 'must not carry a user or password (the client ignores them): use NATS_CREDS or NATS_NKEY_SEED_FILE')
    .default('nats://127.0.0.1:4222'),
  ...NatsCredentialVars,
  KICK_CLIENT_ID: z.string().min(1).optional(),
  KICK_CLIENT_SECRET: z.string().min(1).optional(),
  KICK_API_URL: url.default('https://api.kick.com'),
  KICK_AUTH_URL: url.default('https://id.kick.com'),
  KICK_WEB_URL: url.default('https://kick.com'),
  KICK_WEBHOOK_PUBLIC_KEY: z
    .string()
    .transform((s) => s.replace(/\\n/g, '\n'))
    .refine((s) => s.includes('BEGIN PUBLIC KEY'), 'must be a PEM public key')
    .default(KICK_PUBLIC_KEY),
  POLL_INTERVAL_S: z.coerce.number().min(1).max(3600).default(10),
  // An offline streamer whose webhooks are in place and flowing is polled only every N-th interval
  // (a safety net: its go-live arrives by webhook); 1 polls everyone every interval (docs/poller.md).
  POLL_COVERED_OFFLINE_EVERY: z.coerce.number().int().min(1).max(60).default(3),
  BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(100),
  OFFLINE_GRACE_S: z.coerce.number().min(0).max(3600).default(30),
  // Every request to Kick shares this budget; Kick publishes no limit and was seen to allow ~20/s per app (docs/kick-api.md#limits).
  KICK_REQUESTS_PER_S: z.coerce.number().min(1).max(100).default(15),
  // Days of raw viewer samples kept (0: forever); older daily partitions are dropped.
  VIEWER_SAMPLES_KEEP_DAYS: z.coerce.number().int().min(0).max(36_500).default(90),
  KICK_WEBHOOKS: onOff.default('on'),
  BROWSER_FALLBACK: onOff.default('off'),
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  GATEWAY_PORT: port(8080),
  POLLER_PORT: port(8081),
  AUTH_PORT: port(8082),
  KICK_SIM_PORT: port(8090),
  GATEWAY_HOST: bindHost,
  POLLER_HOST: bindHost,
  AUTH_HOST: bindHost,
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((raw, ctx) => {
      const { entries, problems } = parseTrustedProxies(raw)
      // One issue naming every bad entry: the config error stays one line for the variable.
      if (problems.length) ctx.addIssue({ code: 'custom', message: problems.join('; ') })
      return entries
    }),
  KICK_SIM_CLIENT_ID: z.string().min(1).default('kickmon-demo'),
  KICK_SIM_CLIENT_SECRET: z.string().min(1).default('kickmon-demo-secret'),
  KICK_SIM_WEBHOOK_URL: url.optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').default('dev-only-session-secret-change-me-0000'),
  // Signs share links (gateway only; separate from sessions, so neither key can forge the other's tokens).
  SHARE_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').default('dev-only-share-link-secret-change-me-00'),
  // Per-address limits on the public routes (status pages, badges, share links): a burst, a
  // steady rate per second after it, and live feeds one address may hold open.
  PUBLIC_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(120),
  PUBLIC_RATE_PER_S: z.coerce.number().min(0.01).max(100_000).default(2),
  PUBLIC_FEEDS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(20),
  CONFIG_ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
    .default('0000000000000000000000000000000000000000000000000000000000000000'),
  ADMIN_USERNAME: z.string().min(1).max(64).default('admin'),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(128).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Running on several machines (docs/scaling.md): JetStream replicas for the streams and buckets
  // (1, or 3/5 on a NATS cluster), and a poller's name among its peers (random when unset).
  NATS_REPLICAS: z.coerce.number().int().refine((n) => [1, 3, 5].includes(n), 'must be 1, 3 or 5').default(1),
  POLLER_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,48}$/, 'must be 1 to 48 of A-Z a-z 0-9 _ -').optional(),
})

export type Config = z.infer<typeof ConfigSchema>

export class ConfigError extends Error {}

/** Parse env; throws ConfigError whose message is one line per bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" so a blank line in .env does not fail validation.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const result = ConfigSchema.safeParse(cleaned)
  const pairs = result.success ? natsCredentialIssues(result.data) : []
  if (result.success && !pairs.length) return result.data
  const lines = result.success ? pairs.map((i) => `${i.path}: ${i.message}`) : result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`)
  throw new ConfigError(lines.join('\n'))
}

/** For main.ts: parse or print the problem and exit 1. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  try {
    return parseConfig(env)
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.message.split('\n')) console.error(`config error: ${line}`)
      process.exit(1)
    }
    throw e
  }
}

/** The demo default secrets are fine on loopback, never anywhere else. */
export function usesDemoSecrets(c: Config): boolean {
  return c.SESSION_SECRET.startsWith('dev-only') || /^0+$/.test(c.CONFIG_ENCRYPTION_KEY)
}
