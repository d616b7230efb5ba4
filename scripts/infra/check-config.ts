import { ConfigError, parseEnv, type Env } from '../../shared/src/parse-env.ts'
import { AuthConfigSchema } from '../../services/auth/src/config.ts'
import { GatewayConfigSchema } from '../../services/gateway/src/config.ts'
import { KickSimConfigSchema } from '../../services/kick-sim/src/config.ts'
import { NotifierConfigSchema } from '../../services/notifier/src/config.ts'
import { NotifySimConfigSchema } from '../../services/notify-sim/src/config.ts'
import { PollerConfigSchema } from '../../services/poller/src/config.ts'

/**
 * Every setting of the stack checked before anything starts, with each service's own schema:
 * one line per bad variable, once however many services read it (the simulators' only when
 * they run).
 */
export function stackConfigProblems(env: Env, withSims: boolean): string[] {
  const schemas = [PollerConfigSchema, GatewayConfigSchema, AuthConfigSchema, NotifierConfigSchema, ...(withSims ? [KickSimConfigSchema, NotifySimConfigSchema] : [])]
  const lines = new Set<string>()
  for (const schema of schemas) {
    try {
      parseEnv(schema, env)
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      for (const line of e.message.split('\n')) lines.add(line)
    }
  }
  return [...lines]
}
