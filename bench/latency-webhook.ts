// latency-webhook: kick-sim sends status webhooks at a fixed rate; time from kick-sim's send
// to kick.status, to every dashboard socket, and to a real Chromium DOM (docs/design.md#targets:
// p50 < 20 ms, p99 < 50 ms with 1000 streamers and 1000 dashboards).
import { flag, int, num, parseArgs } from './lib/args.ts'
import { runLatency } from './lib/latency.ts'

const a = parseArgs({
  streamers: int(1000, 1, 20_000), clients: int(1000, 0, 5000), rate: num(20, 0.1, 1000), duration: int(30, 1, 600),
  noBrowser: flag, quick: flag,
})
await runLatency({
  scenario: 'latency-webhook', webhooks: 'on', streamers: a.streamers, clients: a.clients,
  rate: a.rate, durationS: a.quick ? 10 : a.duration, pollIntervalS: 10, offlineGraceS: 30,
  browser: !a.noBrowser, settleS: 15,
})
process.exit(0)
