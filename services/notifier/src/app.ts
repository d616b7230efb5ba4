import { waitForTables } from '@kickmon/shared/db'
import type { ServiceStartContext } from '@kickmon/shared/service'
import { ChannelLocks } from './channel-lock.ts'
import { deleteOwnersChannels } from './channels.ts'
import type { NotifierConfig } from './config.ts'
import type { NotifierDeps } from './deps.ts'
import { Dispatcher } from './dispatcher.ts'
import { notifierEndpoints } from './endpoints.ts'
import { startHousekeeping } from './housekeeping.ts'
import { withAdminSubjects } from './system-actors.ts'
import { Intake } from './intake.ts'
import { LiveMessages } from './live-messages.ts'
import { LiveStatuses } from './live-statuses.ts'
import { notifierMetrics } from './metrics.ts'
import { Sealer } from './seal.ts'
import { Visibility } from './visibility.ts'

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
  // The notifier's tables come from migration 0009; KICK_EVENTS is waited for by the intake.
  await waitForTables(d.sql, ['notify_deliveries'], log, 'notifier')

  const vis = new Visibility(nc, log)
  ctx.onStop(vis.watch((userId) => void deleteOwnersChannels(d, userId)))
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

  ctx.onStop(startHousekeeping(d))
  started = true
  return { ...d, dispatcher }
}
