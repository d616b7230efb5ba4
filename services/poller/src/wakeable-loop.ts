/**
 * A background loop (`body`) that `stop()` ends: `sleep` inside it waits out the given time or
 * until `wake()` (a nudge from outside, or `stop()`), whichever comes first.
 */
export class WakeableLoop {
  private active = false
  private done: Promise<void> | null = null
  private alarm: (() => void) | null = null

  constructor(private readonly body: () => Promise<void>) {}

  get running() {
    return this.active
  }

  start() {
    this.active = true
    this.done = this.body()
  }

  /** Ends the loop and waits for it: for at most `maxWaitMs` when given. */
  async stop(maxWaitMs?: number) {
    this.active = false
    this.wake()
    await (maxWaitMs === undefined ? this.done : Promise.race([this.done, Bun.sleep(maxWaitMs)]))
  }

  /** Cuts the current sleep short. */
  wake() {
    this.alarm?.()
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms)
      function done() {
        clearTimeout(t)
        resolve()
      }
      this.alarm = done
    }).finally(() => (this.alarm = null))
  }
}
