import { FeedClient } from '../feed-client.ts'
import type { RowState } from '../feed-parser.ts'

export type Transition = { at: number; live: boolean }

/**
 * One dashboard socket that reconnects like the page does and keeps, per streamer, the row it
 * shows now and every change of live-ness it ever showed (snapshots after a reconnect
 * included: a change missed while disconnected appears when the snapshot arrives). The
 * gateway upserts a row as "delete, then append", so a delete does not end the row's story.
 */
export class DashboardTimeline {
  readonly rows = new Map<string, RowState>()
  readonly transitions = new Map<string, Transition[]>()
  private shownLive = new Map<string, boolean>()
  private client: FeedClient

  constructor(url: string, cookie: () => string) {
    this.client = new FeedClient(url, cookie, (updates, _snapshot, at) => {
      for (const u of updates) {
        if (!u.row) {
          this.rows.delete(u.slug)
          continue
        }
        this.rows.set(u.slug, u.row)
        if (this.shownLive.get(u.slug) === u.row.live) continue
        this.shownLive.set(u.slug, u.row.live)
        const list = this.transitions.get(u.slug) ?? []
        list.push({ at, live: u.row.live })
        this.transitions.set(u.slug, list)
      }
    })
  }

  start() {
    return this.client.start()
  }

  get connected() {
    return this.client.connected
  }

  get reconnects() {
    return Math.max(0, this.client.connects - 1)
  }

  stop() {
    this.client.stop()
  }
}
