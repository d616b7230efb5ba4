import { z } from 'zod'

// What notify-sim reads: where the provider simulators listen.
const notAPort = 'must be a port number'

export const NotifySimConfigSchema = z.object({
  NOTIFY_SIM_PORT: z.coerce.number({ error: notAPort }).int(notAPort).min(0, notAPort).max(65535, notAPort).default(8091),
})
