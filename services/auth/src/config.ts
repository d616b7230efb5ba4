import { z } from 'zod'
import { ConfigError, ConfigSchema } from '@kickmon/shared/config'

// The shared variables (design.md §5) plus auth's own. Parsed once at start.
export const AuthConfigSchema = ConfigSchema.extend({
  // No fallback key: sealed secrets under a key everyone knows are not sealed. The demo
  // (`bun run start`) generates one and keeps it in .data/config-key.
  CONFIG_ENCRYPTION_KEY: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string({ error: 'required (auth seals configuration secrets with it): generate one with openssl rand -hex 32' })
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)'),
  ),
  /** A session unused for this long ends (seconds; default one day). */
  SESSION_IDLE_S: z.coerce.number().int().min(60).max(31_536_000).default(86_400),
  /** A session ends this long after login whatever happens (seconds; default seven days). */
  SESSION_MAX_S: z.coerce.number().int().min(60).max(31_536_000).default(604_800),
})

export type AuthConfig = z.infer<typeof AuthConfigSchema>

export function parseAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const result = AuthConfigSchema.safeParse(cleaned)
  if (result.success) return result.data
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('\n'))
}

/** For main.ts: parse or print one line per bad variable and exit 1. */
export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  try {
    return parseAuthConfig(env)
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.message.split('\n')) console.error(`config error: ${line}`)
      process.exit(1)
    }
    throw e
  }
}
