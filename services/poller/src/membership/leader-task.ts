import type { Logger } from '@kickmon/shared/logger'
import type { Membership } from './membership.ts'

type Task = { start(): void; stop(): Promise<void> }

/**
 * Runs a job on the leader only (the member that joined first), such as managing Kick's
 * webhook subscriptions: there is one app and one subscription list, so two managers
 * would undo each other. A new leader builds a fresh job, which reads Kick's list before
 * changing anything. Two leaders can overlap for a moment around a member change; the
 * subscription manager tolerates it (it removes duplicates it finds).
 */
export class LeaderTask<T extends Task> {
  current: T | null = null
  private switching: Promise<void> = Promise.resolve()

  constructor(
    private readonly membership: Membership,
    private readonly create: () => T,
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  /** Start or stop the job to match who leads now; call after every member change. */
  update(): Promise<void> {
    this.switching = this.switching.then(async () => {
      const leading = this.membership.leader() === this.membership.id
      if (leading && !this.current) {
        this.current = this.create()
        this.current.start()
        if (!this.membership.alone) this.log.info({ task: this.name }, 'leading: running it here')
      } else if (!leading && this.current) {
        const task = this.current
        this.current = null
        await task.stop()
        this.log.info({ task: this.name, leader: this.membership.leader() }, 'another poller leads: stopped it here')
      }
    })
    return this.switching
  }

  async stop() {
    await this.switching
    const task = this.current
    this.current = null
    await task?.stop()
  }
}
