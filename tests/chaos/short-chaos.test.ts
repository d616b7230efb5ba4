import { expect, test } from 'bun:test'
import { killNats, killPostgres, killService } from '../../bench/lib/chaos/faults.ts'
import { describe as findings, runChaos } from '../../bench/lib/chaos/run-chaos.ts'

// The fault suite, short: a small storm of streams starting and ending in kick-sim while each
// process is killed with SIGKILL once. Every stream must be recorded exactly once (online and
// offline events, one session) and shown once on a dashboard. `bun run chaos` is the long one.
test('kill -9 of the poller, auth, the gateway, nats-server and PostgreSQL mid-storm: nothing lost, nothing doubled', async () => {
  const r = await runChaos({
    streamers: 40,
    pollIntervalS: 1,
    graceS: 2,
    webhooks: 'on',
    maxFaultS: 6, // a restart is ~1–2 s; the headroom is for a loaded machine
    holdS: [12, 18],
    faults: [killService('poller'), killService('auth'), killService('gateway'), killNats(1000), killPostgres(1000)],
    warmupS: 4,
    gapS: 2,
    recoveryTimeoutS: 20,
    log: () => {},
  })
  const problems = findings(r)
  if (problems.length) console.error(problems.join('\n'))
  expect(r.check.streams).toBeGreaterThan(40) // the storm really ran: more streams than streamers
  expect(r.faults.map((f) => f.error ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
  expect(problems).toEqual([])
  // Each fault was followed by the dashboard agreeing with kick-sim again on every streamer.
  for (const f of r.faults) expect(f.settled_ms).not.toBeNull()
}, 240_000)
