import type { ServiceContext } from '@kickmon/shared/service'
import type { PollerConfig } from './config.ts'
import { ensureNatsResources, jetStreamRetryLog } from '@kickmon/shared/nats-resources'
import { subjects } from '@kickmon/shared/contracts/names'
import type { StreamerRemoved } from '@kickmon/shared/contracts/poller'
import { pollerEndpoints } from './endpoints.ts'
import { fallbackMode } from './browser/engagement.ts'
import { createBrowserFallback, type BrowserFallbackTuning } from './browser/start.ts'
import { EventRecorder } from './recording/event-recorder.ts'
import { healthReport } from './health-report.ts'
import { kickClientSecret } from './kick/client-secret.ts'
import { KickClient } from './kick/client.ts'
import { TokenStore } from './kick/token-store.ts'
import { joinPollers, type ClusterTuning } from './membership/cluster.ts'
import { readAllCommitted } from './membership/committed-status.ts'
import { LeaderTask } from './membership/leader-task.ts'
import { MetadataRefresher } from './channels/metadata-refresher.ts'
import { Monitor } from './detection/monitor.ts'
import { PollLoop } from './detection/poll-loop.ts'
import { RequestBudget } from './kick/request-budget.ts'
import { PartitionUpkeep } from './recording/partition-upkeep.ts'
import { ReconnectRepublisher } from './recording/reconnect-republisher.ts'
import { SnapshotWriter } from './recording/snapshot-writer.ts'
import { StatusCommitter } from './recording/status-committer.ts'
import { StreamerRegistry } from './channels/streamer-registry.ts'
import { UpstreamStats } from './upstream-stats.ts'
import { WebhookConsumer } from './webhooks/consumer.ts'
import { WEBHOOKS_ALIVE_MS, WebhookCoverage } from './webhooks/coverage.ts'
import { SUBSCRIPTION_DEFAULTS, SubscriptionManager, type SubscriptionOptions } from './webhooks/subscription-manager.ts'

/** Test knobs for the webhook path; production uses the defaults (`aliveMs`: webhooks/coverage.ts). */
export type WebhookTuning = Partial<SubscriptionOptions> & { maxAgeMs?: number; aliveMs?: number }

export type PollerOptions = { requestsPerSecond?: number; webhooks?: WebhookTuning; metadataIntervalMs?: number; browser?: BrowserFallbackTuning; cluster?: ClusterTuning }

/** Wires the poller's parts together; main.ts and in-process tests both call this. */
export async function startPoller(ctx: ServiceContext<PollerConfig>, opts: PollerOptions = {}) {
  const { config, log, nc } = ctx
  const sql = ctx.sql!
  const intervalMs = config.POLL_INTERVAL_S * 1000
  const clientId = config.KICK_CLIENT_ID ?? config.KICK_SIM_CLIENT_ID
  const clientSecret = kickClientSecret(config, nc, log.child({ part: 'kick-auth' }))

  const partitions = new PartitionUpkeep(sql, config.VIEWER_SAMPLES_KEEP_DAYS, log)
  await partitions.start()

  const { js, kv } = await ensureNatsResources(nc, config.NATS_REPLICAS, jetStreamRetryLog(log))
  const stats = new UpstreamStats(ctx.registry)
  const budget = new RequestBudget(opts.requestsPerSecond ?? config.KICK_REQUESTS_PER_S)
  const kick = new KickClient(config.KICK_API_URL, new TokenStore(config.KICK_AUTH_URL, clientId, clientSecret), budget, (o) => stats.outcome(o))
  const committer = new StatusCommitter(nc, js, kv, log)
  const snapshots = new SnapshotWriter(sql, log)
  // A streamer no longer monitored by anyone: its status leaves the KV and subscribers are told.
  const onRemoved = (slug: string) => {
    nc.publish(subjects.streamerRemoved, JSON.stringify({ slug } satisfies StreamerRemoved))
    committer.remove(slug)
  }
  const monitor = new Monitor({ graceMs: config.OFFLINE_GRACE_S * 1000, staleMs: 3 * intervalMs }, committer, snapshots, log, {
    onReading: (r) => stats.reading(r.source),
    onRemoved,
  })
  // Without credentials the browser reads everything and the API is never called (docs/browser-fallback.md).
  const useApi = fallbackMode(config) !== 'only'
  const registry = new StreamerRegistry(sql, useApi ? kick : null)
  const onFollowers = (slug: string, n: number, at: number) =>
    void registry.setFollowers(slug, n, new Date(at)).catch((err) => log.warn({ err, slug }, 'could not store the follower count'))
  const browser = createBrowserFallback(ctx, { monitor, onFollowers }, opts.browser)
  const recorder = new EventRecorder(nc, js, sql, log)
  // Several pollers share the streamers (docs/scaling.md); alone, this one owns them all.
  const cluster = await joinPollers(ctx, kv, monitor, opts.cluster)

  // Resume from the committed state so a restart neither repeats nor misses events.
  await cluster.ownership.place(await registry.all(), await readAllCommitted(kv))

  // Set once the webhook parts exist; until then everyone is polled every interval.
  let coverage: WebhookCoverage | null = null
  const loop = new PollLoop(kick, monitor, registry, { intervalMs, batchSize: config.BATCH_SIZE, api: useApi, coveredOfflineEvery: config.POLL_COVERED_OFFLINE_EVERY }, log, {
    onRows: (rows) => cluster.ownership.place(rows),
    onCycle: (ms) => stats.pollCycle(ms),
    onBatch: browser?.apiResult,
    coverage: () => coverage?.classifier() ?? null,
  })
  // Assigned, not passed: a cycle (the loop hands the cluster its registry reads, the cluster has the loop poll what it takes over).
  cluster.ownership.onAcquired = (userIds) => loop.pollNow(userIds)
  const metadata = new MetadataRefresher(kick, monitor, registry, opts.metadataIntervalMs ?? 600_000, log, loop.renames)
  committer.start()
  snapshots.start()
  await recorder.start()
  // Deliveries that reach the gateway are always used; managing subscriptions is KICK_WEBHOOKS.
  const webhooks = new WebhookConsumer(nc, js, monitor, stats, log.child({ part: 'webhooks' }), {
    maxAgeMs: opts.webhooks?.maxAgeMs ?? 600_000, instanceId: cluster.id, ownedByPeer: cluster.ownedByPeer,
  })
  await webhooks.start()
  // One app, one subscription list: only the leader manages it, for every monitored streamer.
  const subscriptionTask =
    config.KICK_WEBHOOKS === 'on' && useApi
      ? new LeaderTask(
          cluster.membership,
          () => new SubscriptionManager(kick, cluster.allUserIds, log.child({ part: 'subscriptions' }), { ...SUBSCRIPTION_DEFAULTS, ...opts.webhooks }),
          'webhook subscriptions', log,
        )
      : null
  await subscriptionTask?.update()
  // Offline streamers whose webhooks are in place and flowing are polled less often.
  coverage = new WebhookCoverage(() => subscriptionTask?.current ?? null, () => webhooks.lastDeliveryAt, monitor, opts.webhooks?.aliveMs ?? WEBHOOKS_ALIVE_MS)
  // Assigned, not passed: the monitor exists before the loop that knows who is polled less often.
  monitor.staleSlackMs = (userId) => loop.staleSlackMs(userId)
  cluster.onMembersChanged(() => void subscriptionTask?.update())
  // The browser's 1 page/s is for the whole installation, however many pollers share it.
  const shareBrowser = () => browser && (browser.gate.sharedBy = cluster.membership.ids.length)
  shareBrowser()
  cluster.onMembersChanged(shareBrowser)
  loop.start()
  if (useApi) metadata.start()
  browser?.start()

  const republisher = new ReconnectRepublisher(nc, () => committer.republish(monitor.statuses()))
  republisher.start()

  const refresh = async () => {
    await loop.refresh()
    subscriptionTask?.current?.nudge()
  }
  cluster.listen(refresh)
  const health = () => healthReport({ config, stats, kick, budget, loop, monitor, subscriptions: subscriptionTask?.current ?? null, browser: browser?.health })
  // Assigned, not passed: the stats exist before the parts they total, and the health report reads them.
  stats.totals.eventsPublished = () => committer.eventsPublished
  stats.totals.eventsRecorded = () => recorder.recorded
  stats.totals.health = health
  ctx.addEndpoints(
    pollerEndpoints({
      monitor, registry, sql, refresh,
      cluster: cluster.view(registry),
      removed: onRemoved,
      health,
    }),
  )
  ctx.onStop(async () => {
    loop.stop()
    metadata.stop()
    await subscriptionTask?.stop()
    await webhooks.stop()
    await browser?.close()
    partitions.stop()
    republisher.stop()
    await recorder.stop()
    await committer.stop()
    await snapshots.stop()
    await cluster.stop()
  })
  const subscriptions = subscriptionTask?.current ?? null
  return { monitor, registry, loop, kick, budget, committer, snapshots, recorder, stats, webhooks, subscriptions, browser, cluster }
}
