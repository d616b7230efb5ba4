import { createLogger } from '@kickmon/shared/logger'
import { loadEnv } from '@kickmon/shared/parse-env'
import { KickSimConfigSchema } from './config.ts'
import { loadScenario } from './scenario.ts'
import { createKickSim } from './sim.ts'

// Wiring only: env → simulator → listen → log → stop on SIGTERM/SIGINT.
const env = loadEnv(KickSimConfigSchema)
const log = createLogger('kick-sim', env.LOG_LEVEL)

let scenario
try {
  scenario = env.KICK_SIM_SCENARIO ? await loadScenario(env.KICK_SIM_SCENARIO) : undefined
} catch (e) {
  console.error(`config error: KICK_SIM_SCENARIO: ${(e as Error).message}`)
  process.exit(1)
}

const sim = createKickSim({
  channels: env.KICK_SIM_CHANNELS,
  seed: env.KICK_SIM_SEED,
  activity: env.KICK_SIM_ACTIVITY === 'on',
  activityRate: env.KICK_SIM_ACTIVITY_RATE,
  clientId: env.KICK_SIM_CLIENT_ID,
  clientSecret: env.KICK_SIM_CLIENT_SECRET,
  webhookUrl: env.KICK_SIM_WEBHOOK_URL,
  tokenTtlS: env.KICK_SIM_TOKEN_TTL_S,
  subscriptionCap: env.KICK_SIM_SUBSCRIPTION_CAP,
  unsubscribeAfterS: env.KICK_SIM_WEBHOOK_UNSUBSCRIBE_S,
  keySeed: env.KICK_SIM_KEY_SEED,
  publicUrl: env.KICK_SIM_PUBLIC_URL,
  scenario,
  onError: (err, { kind, url }) =>
    kind === 'webhook' ? log.debug({ err: String(err), url }, 'webhook delivery failed') : log.error({ err: String(err) }, 'request failed'),
})
const { port, url } = sim.listen(env.KICK_SIM_PORT, env.KICK_SIM_HOST)
log.info({ port, url, channels: sim.world.size, live: sim.world.live().length, activity: env.KICK_SIM_ACTIVITY, webhook_url: env.KICK_SIM_WEBHOOK_URL ?? null }, 'kick-sim listening')

let stopping = false
async function shutdown(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  log.info({ signal }, 'kick-sim stopping')
  setTimeout(() => process.exit(1), 5000).unref()
  await sim.stop()
  log.flush()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
