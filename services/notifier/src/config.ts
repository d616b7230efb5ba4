import { z } from 'zod'
import { bindHost, databaseVars, kickUrlVars, port, requiredHexKey, serviceSchema } from '@kickmon/shared/config'

// What the notifier reads (docs/design.md#configuration): PostgreSQL, its port, Kick's web
// address for links, and its own settings.
export const NotifierConfigSchema = serviceSchema({
  ...databaseVars,
  NOTIFIER_PORT: port(8083),
  /** Where /healthz /readyz /metrics listen: loopback unless told otherwise (a container). */
  NOTIFIER_HOST: bindHost,
  KICK_WEB_URL: kickUrlVars.KICK_WEB_URL,
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
  /** Seals channel secrets at rest (64 hex characters); only the notifier holds it. */
  NOTIFY_ENCRYPTION_KEY: requiredHexKey('the notifier seals channel secrets with it'),
})

export type NotifierConfig = z.infer<typeof NotifierConfigSchema>
