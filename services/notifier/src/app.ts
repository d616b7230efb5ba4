import type { NatsConnection } from '@nats-io/transport-node'
import type { Sql } from '@kickmon/shared/db'
import type { Logger } from '@kickmon/shared/logger'
import type { ServiceStartContext } from '@kickmon/shared/service'
import { ChannelLocks } from './channel-lock.ts'
import type { NotifierConfig } from './config.ts'
import type { NotifierDeps } from './deps.ts'
import { Dispatcher } from './dispatcher.ts'
import { notifierEndpoints } from './endpoints.ts'
import { withAdminSubjects } from './system-actors.ts'
import { Intake } from './intake.ts'
import { LiveMessages } from './live-messages.ts'
import { LiveStatuses } from './live-statuses.ts'
import { notifierMetrics } from './metrics.ts'
import { Sealer } from './seal.ts'
import { Visibility } from './visibility.ts'

const KEEP_DAYS = 30

/** Start the notifier on a wired context: endpoints, the KICK_EVENTS consumer, the sender. */
export async function startNotifier(ctx: ServiceStartContext<NotifierConfig>): Promise<NotifierDeps & { dispatcher: Dispatcher }> {
  const { config, log, nc } = ctx
  if (!ctx.sql) throw new Error('the notifier needs PostgreSQL (useDb: true)')
  const d: NotifierDeps = {
    config, sql: ctx.sql, nc, log,
    sealer: new Sealer(config.NOTIFY_ENCRYPTION_KEY),
    metrics: notifierMetrics(ctx.registry),
    providerEnv: { policy: (type) => ({ allowHosts: config.NOTIFY_ALLOW_HOSTS, channelType: type }), smtpUrl: config.SMTP_URL },
  }
  let started = false
  ctx.health?.addProbe({
    name: 'notifier-consumer', critical: true, timeoutMs: 100,
    run: async () => {
      if (!started) throw new Error('starting: waiting for migrations or KICK_EVENTS')
    },
  })
  await waitForSchema(d)

  const vis = new Visibility(nc, log)
  ctx.onStop(vis.watch((userId) => {
    void d.sql`delete from notify_channels where owner_id = ${userId}`
      .then((r) => r.count && log.info({ user: userId, channels: r.count }, 'a deleted user\'s channels were removed'))
      .catch((err) => log.warn({ err: (err as Error).message, user: userId }, 'removing a deleted user\'s channels failed'))
  }))
  const live = new LiveStatuses(nc)
  ctx.onStop(live.start())
  const locks = new ChannelLocks()
  let messages: LiveMessages | null = null
  const dispatcher = new Dispatcher(d, live, locks, (slug) => messages?.add(slug))
  messages = new LiveMessages(d, live, locks, () => dispatcher.kick())
  ctx.addEndpoints(withAdminSubjects(notifierEndpoints(d)))

  const intake = new Intake(d, vis, () => dispatcher.kick())
  await intake.start()
  dispatcher.start()
  await messages.start()
  ctx.onStop(async () => {
    messages?.stop()
    await intake.stop()
    await dispatcher.stop()
  })

  const housekeeping = setInterval(() => {
    void d.sql`delete from notify_deliveries where done_at < now() - make_interval(days => ${KEEP_DAYS})`.catch(() => {})
    void d.sql`delete from notify_messages where ended and last_edit_at < now() - make_interval(days => ${KEEP_DAYS})`.catch(() => {})
    void d.sql<{ n: number }[]>`select count(*)::int as n from notify_deliveries where status in ('pending', 'sending') and next_attempt_at < 'infinity'`
      .then(([r]) => d.metrics.pending.set(r?.n ?? 0)).catch(() => {})
  }, 60_000)
  ctx.onStop(() => clearInterval(housekeeping))
  started = true
  return { ...d, dispatcher }
}

/** The notifier's tables come from migration 0009; wait for them rather than crash. */
async function waitForSchema(d: NotifierDeps) {
  for (let attempt = 1; ; attempt++) {
    const [r] = await d.sql<{ ok: boolean }[]>`select to_regclass('notify_deliveries') is not null as ok`
    if (r?.ok) return
    if (attempt === 1 || attempt % 10 === 0) d.log.warn('notifier tables are missing: waiting for migrations (`kickmon db migrate`)')
    await Bun.sleep(1000)
  }
}
