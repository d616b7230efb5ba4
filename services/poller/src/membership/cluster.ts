import type { KV } from '@nats-io/kv'
import { StorageType } from '@nats-io/jetstream'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { MEMBERS_BUCKET } from '@kickmon/shared/contracts/poller'
import { Gauge } from '@kickmon/shared/metrics'
import { ensureBucket, jetStreamRetryLog } from '@kickmon/shared/nats-resources'
import type { ServiceContext } from '@kickmon/shared/service'
import type { PollerConfig } from '../config.ts'
import { statusFromRow, type Monitor } from '../detection/monitor.ts'
import type { StreamerRegistry } from '../channels/streamer-registry.ts'
import { StatusMirror, readCommitted, readOne } from './committed-status.ts'
import { MEMBERSHIP_DEFAULTS, Membership, type MembershipTiming } from './membership.ts'
import { HANDOFF_MS, Ownership } from './ownership.ts'
import { PeerSync } from './peer-sync.ts'

/** Test knobs; production uses the defaults (heartbeat 1 s, TTL 3 s, hand-over 2 s). */
export type ClusterTuning = Partial<MembershipTiming> & { handoffMs?: number }

/** What the poller.* endpoints need to answer for streamers a peer owns. */
export type ClusterView = {
  alone: () => boolean
  /** A peer's streamer as last committed (or its registry row before its first commit). */
  status: (slug: string) => Promise<StreamerStatus | null>
  /** Every monitored streamer: ours from the Monitor, the peers' from the KV. */
  all: () => StreamerStatus[]
  /** Tell every poller the list changed; the owner of `slug` answers with its status (null: no answer). */
  announce: (slug: string) => Promise<{ status: StreamerStatus | null } | null>
}

export const randomInstanceId = () => `p-${crypto.randomUUID().slice(0, 8)}`

/**
 * Joins this poller to the others on the same NATS (docs/scaling.md): membership with a
 * heartbeat, a share of the streamers by rendezvous hashing, hand-over through the KV,
 * and the view the endpoints use for streamers a peer owns. Alone, it owns everything and
 * behaves as a single poller always did.
 */
export async function joinPollers(ctx: Pick<ServiceContext<PollerConfig>, 'nc' | 'log' | 'config' | 'registry'>, statusKv: KV, monitor: Monitor, tuning: ClusterTuning = {}) {
  const { nc, config } = ctx
  const id = config.POLLER_INSTANCE_ID ?? randomInstanceId()
  const log = ctx.log.child({ instance: id })
  const timing = { ...MEMBERSHIP_DEFAULTS, ...tuning }
  const membersKv = await ensureBucket(nc, MEMBERS_BUCKET, { history: 1, ttl: timing.ttlMs, storage: StorageType.Memory }, config.NATS_REPLICAS, jetStreamRetryLog(log))
  const membership = new Membership(membersKv, id, timing, log)
  const ownership = new Ownership(membership, monitor, (slugs) => readCommitted(statusKv, slugs), log, tuning.handoffMs ?? HANDOFF_MS)
  const mirror = new StatusMirror(statusKv, log)
  let peerSync: PeerSync | null = null
  const changed = new Set<() => void>()
  membership.onChange = () => {
    void (membership.alone ? mirror.stop() : mirror.start())
    void ownership.place()
    for (const fn of changed) fn()
  }
  await membership.start()
  if (!membership.alone) await mirror.start()

  const registers = [ctx.registry]
  new Gauge({ name: 'poller_members', help: 'Pollers alive on this NATS, as this instance sees them', registers, collect() { this.set(membership.ids.length) } })
  new Gauge({ name: 'poller_owned_streamers', help: 'Streamers this poller instance watches (its share)', registers, collect() { this.set(monitor.size) } })

  const view = (registry: StreamerRegistry): ClusterView => ({
    alone: () => membership.alone,
    status: async (slug) => {
      // Monitored as of the last read, or added a moment ago (not read here yet).
      const known = ownership.monitored({ slug })
      const row = known ? null : await registry.get(slug)
      if (!known && !row) return null
      const committed = mirror.get(slug) ?? (await readOne(statusKv, slug))
      if (committed) return committed
      const r = row ?? (await registry.get(slug))
      return r ? statusFromRow(r) : null
    },
    all: () => ownership.rows.map((r) => monitor.get(r.slug) ?? mirror.get(r.slug) ?? statusFromRow(r)),
    announce: (slug) => peerSync?.announce(slug) ?? Promise.resolve(null),
  })

  return {
    id, membership, ownership, mirror, view,
    /** Run after every change of the member list. */
    onMembersChanged: (fn: () => void) => void changed.add(fn),
    /** Every monitored streamer's Kick user id (the leader subscribes webhooks for all). */
    allUserIds: (): number[] => (membership.alone ? monitor.resolvedUserIds() : [...new Set([...monitor.resolvedUserIds(), ...ownership.resolvedUserIds()])]),
    /** A webhook for a streamer a peer owns is theirs to apply. */
    ownedByPeer: (t: { userId: number | null; slug: string | null }) => !membership.alone && ownership.monitored(t),
    /** Answer the peers' "the list changed" broadcasts with `refresh`. */
    listen: (refresh: () => Promise<void>) => {
      peerSync = new PeerSync(nc, membership, monitor, refresh, log)
      peerSync.start()
    },
    /** After the poller stopped polling and committed its last state: leave, so peers take over at once. */
    async stop() {
      peerSync?.stop()
      ownership.stop()
      mirror.stop()
      await membership.stop()
    },
  }
}

export type PollerCluster = Awaited<ReturnType<typeof joinPollers>>
