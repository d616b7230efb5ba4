// latency-poll: the same changes with webhooks off, so only polling sees them: detection
// delay per change against POLL_INTERVAL_S (docs/design.md#targets: within POLL_INTERVAL_S + 1 s).
import { flag, int, num, parseArgs } from './lib/args.ts'
import { runLatency } from './lib/latency.ts'

const a = parseArgs({
  streamers: int(1000, 1, 20_000), clients: int(1000, 0, 5000), rate: num(5, 0.1, 1000), duration: int(40, 1, 600),
  interval: num(10, 1, 3600), grace: num(5, 0, 3600), noBrowser: flag, quick: flag,
})
await runLatency({
  scenario: 'latency-poll', webhooks: 'off', streamers: a.streamers, clients: a.clients,
  rate: a.rate, durationS: a.quick ? 15 : a.duration, pollIntervalS: a.interval, offlineGraceS: a.grace,
  browser: !a.noBrowser, settleS: a.interval + a.grace + 10,
})
process.exit(0)
