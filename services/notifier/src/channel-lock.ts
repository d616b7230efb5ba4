// One request at a time per channel in this process: a live message's periodic edit must not
// overtake the edit that turns it into the summary, and Discord's per-webhook bucket is
// better met in order than in a burst.
export class ChannelLocks {
  private tails = new Map<string, Promise<unknown>>()

  run<T>(channelId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(channelId) ?? Promise.resolve()
    const next = prev.then(fn, fn)
    const tail = next.catch(() => {})
    this.tails.set(channelId, tail)
    void tail.then(() => {
      if (this.tails.get(channelId) === tail) this.tails.delete(channelId)
    })
    return next
  }
}
