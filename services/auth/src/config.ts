import { z } from 'zod'
import { bindHost, databaseVars, port, requiredHexKey, secret, serviceSchema } from '@kickmon/shared/config'

// What auth reads (docs/design.md#configuration): PostgreSQL, its port, secrets, the first admin
// and session lifetimes.
export const AuthConfigSchema = serviceSchema({
  ...databaseVars,
  AUTH_PORT: port(8082),
  AUTH_HOST: bindHost,
  SESSION_SECRET: secret('dev-only-session-secret-change-me-0000'),
  // No fallback key: the demo (`bun run start`) generates one and keeps it in .data/config-key.
  CONFIG_ENCRYPTION_KEY: requiredHexKey('auth seals configuration secrets with it'),
  ADMIN_USERNAME: z.string().min(1).max(64).default('admin'),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(128).optional(),
  /** A session unused for this long ends (seconds; default one day). */
  SESSION_IDLE_S: z.coerce.number().int().min(60).max(31_536_000).default(86_400),
  /** A session ends this long after login whatever happens (seconds; default seven days). */
  SESSION_MAX_S: z.coerce.number().int().min(60).max(31_536_000).default(604_800),
})

export type AuthConfig = z.infer<typeof AuthConfigSchema>

/** The demo default secrets are fine on loopback, never anywhere else. */
export function usesDemoSecrets(c: Pick<AuthConfig, 'SESSION_SECRET' | 'CONFIG_ENCRYPTION_KEY'>): boolean {
  return c.SESSION_SECRET.startsWith('dev-only') || /^0+$/.test(c.CONFIG_ENCRYPTION_KEY)
}
