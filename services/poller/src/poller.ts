import { StreamerStatus } from '@kickmon/shared/contracts/status'
import type { ServiceContext } from '@kickmon/shared/service'
import { ensureNatsResources, jetStreamRetryLog } from '@kickmon/shared/nats-resources'
import { subjects } from '@kickmon/shared/contracts/names'
import { pollerEndpoints } from './endpoints.ts'
import { createBrowserFallback, type BrowserFallbackTuning } from './browser/start.ts'
import { EventRecorder } from './recording/event-recorder.ts'
import { healthReport } from './health-report.ts'
import { kickClientSecret } from './kick/client-secret.ts'
import { KickClient } from './kick/client.ts'
import { TokenStore } from './kick/token-store.ts'
import { joinPollers, type ClusterTuning } from './membership/cluster.ts'
import { LeaderTask } from './membership/leader-task.ts'
import { MetadataRefresher } from './channels/metadata-refresher.ts'
import { Monitor } from './detection/monitor.ts'
import { PollLoop } from './detection/poll-loop.ts'
import { RequestBudget } from './kick/request-budget.ts'
import { SnapshotWriter } from './recording/snapshot-writer.ts'
import { StatusCommitter } from './recording/status-committer.ts'
import { dropExpiredSamples } from './recording/sample-retention.ts'
import { StreamerRegistry } from './channels/streamer-registry.ts'
import { UpstreamStats } from './upstream-stats.ts'
import { WebhookConsumer } from './webhooks/consumer.ts'
import { SUBSCRIPTION_DEFAULTS, SubscriptionManager, type SubscriptionOptions } from './webhooks/subscription-manager.ts'

/** Test knobs for the webhook path; production uses the defaults. */
export type WebhookTuning = Partial<SubscriptionOptions> & { maxAgeMs?: number }

export type PollerOptions = { requestsPerSecond?: number; webhooks?: WebhookTuning; metadataIntervalMs?: number; browser?: BrowserFallbackTuning; cluster?: ClusterTuning }

/** Wires the poller's parts together; main.ts and in-process tests both call this. */
export async function startPoller(ctx: ServiceContext, opts: PollerOptions = {}) {
  const { config, log, nc } = ctx
  const sql = ctx.sql!
  const intervalMs = config.POLL_INTERVAL_S * 1000
  const clientId = config.KICK_CLIENT_ID ?? config.KICK_SIM_CLIENT_ID
  const clientSecret = kickClientSecret(config, nc, log.child({ part: 'kick-auth' }))

  // Every poller creates the coming days' partitions; the lock stops two starting together from racing.
  const ensurePartitions = (daysBack: number) =>
    sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('viewer_sample_partitions'))`
      await tx`select ensure_viewer_sample_partitions(current_date - ${daysBack}::int, 3)`
    })
  // Samples past VIEWER_SAMPLES_KEEP_DAYS go with the same upkeep; a failure only delays it an hour.
  const dropExpired = () => dropExpiredSamples(sql, config.VIEWER_SAMPLES_KEEP_DAYS, log).catch((err) => log.warn({ err }, 'could not drop expired viewer samples'))
  await ensurePartitions(1)
  await dropExpired()
  const partitions = setInterval(() => void ensurePartitions(0).then(dropExpired).catch(() => {}), 3600_000)

  const { js, kv } = await ensureNatsResources(nc, config.NATS_REPLICAS, jetStreamRetryLog(log))
  const stats = new UpstreamStats(ctx.registry)
  const budget = new RequestBudget(opts.requestsPerSecond ?? config.KICK_REQUESTS_PER_S)
  const kick = new KickClient(config.KICK_API_URL, new TokenStore(config.KICK_AUTH_URL, clientId, clientSecret), budget, (o) => stats.outcome(o))
  const committer = new StatusCommitter(nc, js, kv, log)
  const snapshots = new SnapshotWriter(sql, log)
  const monitor = new Monitor({ graceMs: config.OFFLINE_GRACE_S * 1000, staleMs: 3 * intervalMs }, committer, snapshots, log)
  monitor.onReading = (r) => stats.reading(r.source)
  monitor.onRemoved = (slug) => {
    nc.publish(subjects.streamerRemoved, JSON.stringify({ slug }))
    committer.remove(slug)
  }
  // Without credentials the browser reads everything and the API is never called (docs/browser-fallback.md).
  const browser = createBrowserFallback(ctx, monitor, opts.browser)
  const useApi = browser?.mode !== 'only'
  const registry = new StreamerRegistry(sql, useApi ? kick : null)
  if (browser) browser.fallback.onFollowers = (slug, n, at) => void registry.setFollowers(slug, n, new Date(at)).catch((err) => log.warn({ err, slug }, 'could not store the follower count'))
  const recorder = new EventRecorder(nc, js, sql, log)
  stats.totals.eventsPublished = () => committer.eventsPublished
  stats.totals.eventsRecorded = () => recorder.recorded
  // Several pollers share the streamers (docs/scaling.md); alone, this one owns them all.
  const cluster = await joinPollers(ctx, kv, monitor, opts.cluster)

  // Resume from the committed state so a restart neither repeats nor misses events.
  const committed = new Map<string, StreamerStatus>()
  for await (const key of await kv.keys()) {
    const e = await kv.get(key)
    const parsed = e?.value.length ? StreamerStatus.safeParse(e.json()) : null
    if (parsed?.success) committed.set(key, parsed.data)
  }
  await cluster.ownership.place(await registry.all(), committed)

  const loop = new PollLoop(kick, monitor, registry, { intervalMs, batchSize: config.BATCH_SIZE, api: useApi }, log)
  loop.onRows = (rows) => cluster.ownership.place(rows)
  cluster.ownership.onAcquired = (userIds) => loop.pollNow(userIds)
  loop.onCycle = (ms) => stats.pollCycle(ms)
  if (browser) loop.onBatch = browser.apiResult
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
  cluster.onMembersChanged(() => void subscriptionTask?.update())
  // The browser's 1 page/s is for the whole installation, however many pollers share it.
  const shareBrowser = () => browser && (browser.gate.sharedBy = cluster.membership.ids.length)
  shareBrowser()
  cluster.onMembersChanged(shareBrowser)
  loop.start()
  if (useApi) metadata.start()
  browser?.start()

  // Core publishes are lost while disconnected: resend every status after a reconnect, and
  // once more a little later for subscribers that reconnect after us.
  let lateRepublish: Timer | undefined
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type !== 'reconnect') continue
      committer.republish(monitor.statuses())
      clearTimeout(lateRepublish)
      lateRepublish = setTimeout(() => committer.republish(monitor.statuses()), 3000)
    }
  })()

  const refresh = async () => {
    await loop.refresh()
    subscriptionTask?.current?.nudge()
  }
  cluster.listen(refresh)
  const health = () => healthReport({ config, stats, kick, budget, loop, monitor, subscriptions: subscriptionTask?.current ?? null, browser: browser?.health })
  stats.totals.health = health
  ctx.addEndpoints(
    pollerEndpoints({
      monitor, registry, sql, refresh,
      cluster: cluster.view(registry),
      removed: (slug) => monitor.onRemoved(slug),
      health,
    }),
  )
  ctx.onStop(async () => {
    loop.stop()
    metadata.stop()
    await subscriptionTask?.stop()
    await webhooks.stop()
    await browser?.close()
    clearInterval(partitions)
    clearTimeout(lateRepublish)
    await recorder.stop()
    await committer.stop()
    await snapshots.stop()
    await cluster.stop()
  })
  const subscriptions = subscriptionTask?.current ?? null
  return { monitor, registry, loop, kick, budget, committer, snapshots, recorder, stats, webhooks, subscriptions, browser, cluster }
}
