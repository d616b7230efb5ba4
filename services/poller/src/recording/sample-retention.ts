import type { Sql } from '@kickmon/shared/db'
import type { Logger } from '@kickmon/shared/logger'

/**
 * Drops the viewer samples older than `keepDays` whole days (0 keeps everything), as whole
 * daily partitions. Every poller runs it hourly with the partition upkeep; the advisory lock
 * keeps two from dropping the same table at once.
 */
export async function dropExpiredSamples(sql: Sql, keepDays: number, log: Logger): Promise<number> {
  if (keepDays === 0) return 0
  const dropped = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('viewer_sample_partitions'))`
    const [r] = await tx<{ n: number }[]>`select drop_viewer_samples_before(current_date - ${keepDays}::int) as n`
    return r!.n
  })
  if (dropped > 0) log.info({ dropped, keep_days: keepDays }, 'dropped expired viewer-sample partitions')
  return dropped
}
