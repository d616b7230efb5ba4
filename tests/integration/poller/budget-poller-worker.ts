// Runs the poller on its own thread (its own event loop), so the kick-sim front door on the
// test's thread records request arrival times without waiting behind the poller's work.
import { parseEnv } from '../../../shared/src/parse-env.ts'
import { PollerConfigSchema } from '../../../services/poller/src/config.ts'
import { startPoller, type PollerOptions } from '../../../services/poller/src/poller.ts'
import { inProcess } from '../../harness/services.ts'

declare const self: Worker

type Start = { type: 'start'; env: Record<string, string>; options: PollerOptions }
let stop: (() => Promise<void>) | null = null

self.onmessage = async (e: MessageEvent<Start | { type: 'stop' }>) => {
  if (e.data.type === 'start') {
    const { env, options } = e.data
    if (env.KICKMON_TEST_NATS_KEYS) process.env.KICKMON_TEST_NATS_KEYS = env.KICKMON_TEST_NATS_KEYS // the run's NATS keys
    const p = await inProcess('poller', parseEnv(PollerConfigSchema, env), (ctx) => startPoller(ctx, options))
    stop = p.stop
    postMessage({ type: 'started' })
  } else {
    await stop?.()
    postMessage({ type: 'stopped' })
  }
}
