import { ConfigSchema } from '@kickmon/shared/config'
import { usage } from './exit-codes.ts'

// Only what the CLI uses, so a malformed variable meant for a service never breaks it.
const serviceDbUrl = ConfigSchema.shape.DATABASE_URL.unwrap().optional()
const CliEnvSchema = ConfigSchema.pick({
  NATS_URL: true, DATABASE_URL: true, GATEWAY_PORT: true, POLLER_PORT: true, AUTH_PORT: true,
  NATS_CREDS: true, NATS_NKEY_SEED_FILE: true, NATS_TLS_CA: true, NATS_TLS_CERT: true, NATS_TLS_KEY: true,
}).extend({
  // The URLs auth, the poller and the notifier connect with: `kickmon db roles` makes their roles from them.
  AUTH_DATABASE_URL: serviceDbUrl,
  POLLER_DATABASE_URL: serviceDbUrl,
  NOTIFIER_DATABASE_URL: serviceDbUrl,
})
export type CliEnv = ReturnType<typeof CliEnvSchema.parse>

export function readEnv(env: Record<string, string | undefined> = process.env): CliEnv {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && v !== '' && k in CliEnvSchema.shape))
  const r = CliEnvSchema.safeParse(cleaned)
  if (r.success) return r.data
  const first = r.error.issues[0]
  throw usage(`environment: ${first?.path.join('.')}: ${first?.message}`)
}
