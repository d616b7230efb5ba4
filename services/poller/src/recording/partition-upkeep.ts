import type { Sql } from '@kickmon/shared/db'
import type { Logger } from '@kickmon/shared/logger'
import { dropExpiredSamples } from './sample-retention.ts'

/**
 * Keeps `viewer_samples` partitioned by day: every poller creates the coming days' partitions
 * at start and hourly (the advisory lock stops two starting together from racing), and drops
 * the samples past VIEWER_SAMPLES_KEEP_DAYS with the same upkeep.
 */
export class PartitionUpkeep {
  private timer: Timer | null = null

  constructor(
    private readonly sql: Sql,
    private readonly keepDays: number,
    private readonly log: Logger,
    private readonly everyMs = 3600_000,
  ) {}

  /** Fails when the partitions cannot be created: samples would have nowhere to go. */
  async start() {
    await this.ensurePartitions(1)
    await this.dropExpired()
    this.timer = setInterval(() => void this.ensurePartitions(0).then(() => this.dropExpired()).catch(() => {}), this.everyMs)
  }

  stop() {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private ensurePartitions(daysBack: number) {
    return this.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('viewer_sample_partitions'))`
      await tx`select ensure_viewer_sample_partitions(current_date - ${daysBack}::int, 3)`
    })
  }

  /** A failure only delays the drop to the next upkeep. */
  private dropExpired() {
    return dropExpiredSamples(this.sql, this.keepDays, this.log).catch((err) => this.log.warn({ err }, 'could not drop expired viewer samples'))
  }
}
