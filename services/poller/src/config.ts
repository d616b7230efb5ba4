import { z } from 'zod'
import { bindHost, databaseVars, kickUrlVars, onOff, port, serviceSchema } from '@kickmon/shared/config'

// What the poller reads (docs/design.md#configuration): NATS, PostgreSQL, Kick and detection.
export const PollerConfigSchema = serviceSchema({
  ...databaseVars,
  POLLER_PORT: port(8081),
  POLLER_HOST: bindHost,
  ...kickUrlVars,
  KICK_CLIENT_ID: z.string().min(1).optional(),
  KICK_CLIENT_SECRET: z.string().min(1).optional(),
  // The credentials kick-sim accepts: used against it when KICK_CLIENT_ID is unset (the demo).
  KICK_SIM_CLIENT_ID: z.string().min(1).default('kickmon-demo'),
  KICK_SIM_CLIENT_SECRET: z.string().min(1).default('kickmon-demo-secret'),
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
  // Running on several machines (docs/scaling.md): JetStream replicas for the streams and buckets
  // (1, or 3/5 on a NATS cluster), and a poller's name among its peers (random when unset).
  NATS_REPLICAS: z.coerce.number().int().refine((n) => [1, 3, 5].includes(n), 'must be 1, 3 or 5').default(1),
  POLLER_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,48}$/, 'must be 1 to 48 of A-Z a-z 0-9 _ -').optional(),
})

export type PollerConfig = z.infer<typeof PollerConfigSchema>
