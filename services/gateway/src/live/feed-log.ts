/**
 * A change counter for the live feed, so a dashboard that reconnects (or connects right
 * after its page was rendered) gets only the rows that changed since, not a full snapshot.
 * A cursor is `<boot>.<seq>`; after a gateway restart every old cursor is unknown and the
 * client gets everything. A change in what a user may see also forces a full snapshot.
 */
export class FeedLog {
  readonly boot = crypto.randomUUID().slice(0, 8)
  private seq = 0
  private changed = new Map<string, number>()
  private removed = new Map<string, number>()
  private accessChanged = new Map<number, number>()
  /** Seq of the newest removal forgotten to keep the map bounded: older cursors get everything. */
  private forgotten = 0

  cursor(): string {
    return `${this.boot}.${this.seq}`
  }

  known(slug: string): boolean {
    return this.changed.has(slug)
  }

  change(slug: string) {
    this.changed.set(slug, ++this.seq)
    this.removed.delete(slug)
  }

  remove(slug: string) {
    this.changed.delete(slug)
    this.removed.set(slug, ++this.seq)
    if (this.removed.size > 10_000) {
      const [slug, seq] = this.removed.entries().next().value!
      this.removed.delete(slug)
      this.forgotten = seq
    }
  }

  access(userId: number) {
    this.accessChanged.set(userId, ++this.seq)
  }

  /** Slugs changed and removed after `cursor`, or null when the client needs a full snapshot. */
  since(cursor: string | null | undefined, userId: number): { changed: string[]; removed: string[] } | null {
    const m = cursor?.match(/^([0-9a-f]{8})\.(\d{1,15})$/)
    if (!m || m[1] !== this.boot) return null
    const n = Number(m[2])
    if (n > this.seq || n < this.forgotten || (this.accessChanged.get(userId) ?? 0) > n) return null
    const changed: string[] = []
    for (const [slug, seq] of this.changed) if (seq > n) changed.push(slug)
    const removed: string[] = []
    for (const [slug, seq] of this.removed) if (seq > n) removed.push(slug)
    return { changed, removed }
  }
}
