import { z } from 'zod'
import { databaseVars, natsVars, port } from '@kickmon/shared/config'
import { ConfigError, parseEnv, type Env } from '@kickmon/shared/parse-env'
import { usage } from './exit-codes.ts'

// Only what the CLI uses, so a malformed variable meant for a service never breaks it.
const serviceDbUrl = databaseVars.DATABASE_URL.unwrap().optional()
export const CliEnvSchema = z.object({
  ...natsVars,
  ...databaseVars,
  // Where `kickmon status` finds each service's /readyz on this machine.
  GATEWAY_PORT: port(8080),
  POLLER_PORT: port(8081),
  AUTH_PORT: port(8082),
  // The URLs auth, the poller and the notifier connect with: `kickmon db roles` makes their roles from them.
  AUTH_DATABASE_URL: serviceDbUrl,
  POLLER_DATABASE_URL: serviceDbUrl,
  NOTIFIER_DATABASE_URL: serviceDbUrl,
})
export type CliEnv = z.infer<typeof CliEnvSchema>

export function readEnv(env: Env = process.env): CliEnv {
  try {
    return parseEnv(CliEnvSchema, env)
  } catch (e) {
    // A usage error is one line: the first problem.
    if (e instanceof ConfigError) throw usage(`environment: ${e.message.split('\n')[0]}`)
    throw e
  }
}
