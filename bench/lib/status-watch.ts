import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import { subjects } from '../../shared/src/contracts/names.ts'
import { nowMs } from './stats.ts'
import type { Change } from './ws-fleet.ts'

type Flip = { live: boolean; at: number }
type Reading = { slug: string; live: boolean } | null

/** Notes when each streamer's live-ness flipped on a NATS subject (core subscribers also see JetStream publishes). */
export class FlipWatch {
  private last = new Map<string, boolean>()
  private flips = new Map<string, Flip[]>()
  private sub: Subscription
  messages = 0

  constructor(nc: NatsConnection, subject: string, read: (body: unknown) => Reading, onlyChanges = true) {
    this.sub = nc.subscribe(subject, {
      callback: (err, m) => {
        if (err) return
        const at = nowMs()
        this.messages++
        let r: Reading = null
        try {
          r = read(m.json())
        } catch {}
        if (!r) return
        if (onlyChanges && this.last.get(r.slug) === r.live) return
        this.last.set(r.slug, r.live)
        const list = this.flips.get(r.slug) ?? []
        list.push({ live: r.live, at })
        this.flips.set(r.slug, list)
      },
    })
  }

  /** When the subject first carried each change (null when it never did). */
  arrivals(changes: Change[]): Map<number, number | null> {
    const out = new Map<number, number | null>()
    for (const c of changes) out.set(c.id, this.flips.get(c.slug)?.find((f) => f.live === c.live && f.at >= c.t0)?.at ?? null)
    return out
  }

  stop() {
    this.sub.unsubscribe()
  }
}

/** `kick.status.>` (docs/design.md#nats-subjects): the poller's published status. */
export class StatusWatch extends FlipWatch {
  constructor(nc: NatsConnection) {
    super(nc, subjects.statusAll, (b) => {
      const s = b as { slug?: string; live?: boolean }
      return typeof s.slug === 'string' && typeof s.live === 'boolean' ? { slug: s.slug, live: s.live } : null
    })
  }
}

/** `kick.webhooks.livestream.status.updated`: deliveries the gateway verified and stored in JetStream. */
export class WebhookWatch extends FlipWatch {
  constructor(nc: NatsConnection) {
    super(
      nc,
      subjects.webhook('livestream.status.updated'),
      (b) => {
        const w = b as { broadcaster?: { channel_slug?: string }; is_live?: boolean }
        return w.broadcaster?.channel_slug && typeof w.is_live === 'boolean' ? { slug: w.broadcaster.channel_slug, live: w.is_live } : null
      },
      false,
    )
  }
}
