import { loadEnv } from '@kickmon/shared/parse-env'
import { NotifySimConfigSchema } from './config.ts'
import { createNotifySim } from './sim.ts'

// Wiring only: the provider simulators on NOTIFY_SIM_PORT (default 8091) until SIGTERM/SIGINT.
const { NOTIFY_SIM_PORT } = loadEnv(NotifySimConfigSchema)
const sim = createNotifySim()
const { url } = sim.listen(NOTIFY_SIM_PORT)
console.log(JSON.stringify({ level: 'info', service: 'notify-sim', msg: 'provider simulators listening', url }))
const stop = () => void sim.stop().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
