import { StreamerStatus } from '../../../shared/src/contracts/status.ts'
import { subjects } from '../../../shared/src/contracts/names.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import type { ServiceConfig } from '../../../shared/src/config.ts'
import { inProcess, testEnv, type StackConfig, type TestEnv } from '../../harness/services.ts'

/** A poller started in this process (on the stack's config, or on the poller's own: `C`). */
export type InProcessPoller<C extends ServiceConfig = StackConfig> = Awaited<ReturnType<typeof inProcess<Awaited<ReturnType<typeof startPoller>>, C>>>

export type WatchedPoller = {
  env: TestEnv
  poller: InProcessPoller
  /** Every status the poller published on kick.status, in order. */
  seen: StreamerStatus[]
  /** kick-sim's first channel, offline at the start. */
  slug: string
  stop: () => Promise<void>
}

/** A fresh test environment with a poller running in this process, and what it publishes. */
export async function watchedPoller(): Promise<WatchedPoller> {
  const env = await testEnv()
  try {
    const poller = await inProcess('poller', env.config(), (ctx) => startPoller(ctx))
    const seen: StreamerStatus[] = []
    poller.client.subscribe(subjects.statusAll, { callback: (_e, m) => void seen.push(StreamerStatus.parse(m.json())) })
    const slug = env.sim.world.list()[0]!.slug
    env.sim.world.update(slug, { live: false })
    return {
      env, poller, seen, slug,
      stop: async () => {
        await poller.stop()
        await env.destroy()
      },
    }
  } catch (e) {
    await env.destroy()
    throw e
  }
}
