import { z } from 'zod'
import { logVars, onOff, port } from '@kickmon/shared/config'

// What kick-sim reads (docs/kick-sim.md): where it listens, the credentials it accepts, where it
// delivers webhooks, and its world.
const int = (min: number, max: number, d: number) => z.coerce.number().int().min(min).max(max).default(d)

export const KickSimConfigSchema = z.object({
  ...logVars,
  KICK_SIM_PORT: port(8090),
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
})

export type KickSimConfig = z.infer<typeof KickSimConfigSchema>
