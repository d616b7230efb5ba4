import { isIP } from 'node:net'
import { z } from 'zod'
import { ConfigError, ConfigSchema } from '@kickmon/shared/config'

// The shared variables (docs/design.md#configuration) plus the notifier's own. Parsed once at start.
export const NotifierConfigSchema = ConfigSchema.extend({
  NOTIFIER_PORT: z.coerce.number().int().min(0).max(65535).default(8083),
  /** Where /healthz /readyz /metrics listen: loopback unless told otherwise (a container). */
  NOTIFIER_HOST: z.string().refine((s) => isIP(s) !== 0, 'must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::)').default('127.0.0.1'),
  /**
   * Hosts exempt from the private-address guard and from the provider host checks, comma
   * separated (a LAN ntfy, the simulators in tests). Entries are host names or IP addresses.
   */
  NOTIFY_ALLOW_HOSTS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((h) => h.trim().toLowerCase().replace(/^\[|\]$/g, '')).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z0-9.:_-]{1,253}$/, 'NOTIFY_ALLOW_HOSTS lists host names or IP addresses, comma separated'))),
  /** Events older than this when the notifier reads them (it was down) are skipped, visibly in the log. */
  NOTIFY_MAX_AGE_S: z.coerce.number().int().min(1).max(7 * 86_400).default(900),
  /** smtp://user:pass@host:587 or smtps://…:465; `?from=` sets the sender. Unset: no email channels. */
  SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, 'must look like smtp://user:pass@host:587').optional(),
  /**
   * Seals channel secrets at rest (64 hex characters); only the notifier holds it. No fallback:
   * secrets sealed under a key everyone knows are not sealed (the demo generates one in .data/).
   */
  NOTIFY_ENCRYPTION_KEY: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string({ error: 'required (the notifier seals channel secrets with it): generate one with openssl rand -hex 32' })
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)'),
  ),
})

export type NotifierConfig = z.infer<typeof NotifierConfigSchema>

export function parseNotifierConfig(env: Record<string, string | undefined> = process.env): NotifierConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const result = NotifierConfigSchema.safeParse(cleaned)
  if (result.success) return result.data
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('\n'))
}

/** For main.ts: parse or print one line per bad variable and exit 1. */
export function loadNotifierConfig(env: Record<string, string | undefined> = process.env): NotifierConfig {
  try {
    return parseNotifierConfig(env)
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.message.split('\n')) console.error(`config error: ${line}`)
      process.exit(1)
    }
    throw e
  }
}
