import { createNotifySim } from './sim.ts'

// Wiring only: the provider simulators on NOTIFY_SIM_PORT (default 8091) until SIGTERM/SIGINT.
const port = Number(process.env.NOTIFY_SIM_PORT ?? 8091)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('config error: NOTIFY_SIM_PORT: must be a port number')
  process.exit(1)
}
const sim = createNotifySim()
const { url } = sim.listen(port)
console.log(JSON.stringify({ level: 'info', service: 'notify-sim', msg: 'provider simulators listening', url }))
const stop = () => void sim.stop().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
