import { z } from 'zod'

// kick-sim's environment (docs/design.md#configuration plus the simulator's own knobs). Empty strings mean
// "unset", like shared/config.ts, so a blank line in .env does not fail validation.
const onOff = z.enum(['on', 'off'])
const int = (min: number, max: number, d: number) => z.coerce.number().int().min(min).max(max).default(d)

export const EnvSchema = z.object({
  KICK_SIM_PORT: int(0, 65535, 8090),
  KICK_SIM_HOST: z.string().min(1).default('127.0.0.1'),
  KICK_SIM_CLIENT_ID: z.string().min(1).default('kickmon-demo'),
  KICK_SIM_CLIENT_SECRET: z.string().min(1).default('kickmon-demo-secret'),
  KICK_SIM_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  KICK_SIM_TOKEN_TTL_S: int(1, 30 * 86400, 3600),
  KICK_SIM_CHANNELS: int(0, 20_000, 12),
  KICK_SIM_SEED: z.coerce.number().int().default(1),
  KICK_SIM_ACTIVITY: onOff.default('on'),
  KICK_SIM_ACTIVITY_RATE: z.coerce.number().min(0).max(1000).default(1),
  KICK_SIM_SUBSCRIPTION_CAP: int(0, 10_000_000, 10_000),
  KICK_SIM_WEBHOOK_UNSUBSCRIBE_S: int(0, 30 * 86400, 86_400),
  KICK_SIM_KEY_SEED: z.string().min(1).optional(),
  KICK_SIM_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  KICK_SIM_SCENARIO: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

export type SimEnv = z.infer<typeof EnvSchema>

export function parseEnv(env: Record<string, string | undefined>): SimEnv {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => (k.startsWith('KICK_SIM_') || k === 'LOG_LEVEL') && v !== undefined && v !== ''))
  const r = EnvSchema.safeParse(cleaned)
  if (r.success) return r.data
  throw new Error(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'))
}
