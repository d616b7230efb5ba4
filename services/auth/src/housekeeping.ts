import type { AuthDeps } from './deps.ts'
import { pruneSessions } from './sessions.ts'
import { pruneFailures } from './throttle.ts'

const HOUSEKEEPING_MS = 10 * 60_000

/** Prunes old login failures and ended sessions now and every ten minutes; returns its stop. */
export function startHousekeeping(deps: Pick<AuthDeps, 'sql' | 'log'>): () => void {
  const run = async () => {
    try {
      const failures = await pruneFailures(deps.sql)
      const sessions = await pruneSessions(deps.sql)
      if (failures || sessions) deps.log.debug({ failures, sessions }, 'pruned old login failures and sessions')
    } catch (err) {
      deps.log.warn({ err }, 'housekeeping failed')
    }
  }
  void run()
  const timer = setInterval(run, HOUSEKEEPING_MS)
  return () => clearInterval(timer)
}
