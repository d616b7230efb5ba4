import { prepareDatabase } from './database.ts'
import { startLocalNats, type LocalNats } from './nats.ts'
import { startLocalPostgres, type LocalPostgres } from './postgres.ts'

export type PrivateInfra = { pg: LocalPostgres; nats: LocalNats; databaseUrl: string; destroy: () => Promise<void> }

export type PrivateInfraOptions = {
  /** nats-server's auth include (scripts/infra/nats-auth.ts); without it any client may connect. */
  authConf?: string
  /** PostgreSQL with its normal durability; by default fsync and synchronous_commit are off. */
  durable?: boolean
}

/**
 * A PostgreSQL cluster of its own (temporary, killable) with the migrated database `kickmon`,
 * and a nats-server of its own (random port, temporary JetStream dir): what a benchmark runs
 * the whole system on. If either fails to start, the other is removed again.
 */
export async function startPrivateInfra(o: PrivateInfraOptions = {}): Promise<PrivateInfra> {
  const [pg, nats] = await Promise.allSettled([startLocalPostgres({ fast: !o.durable }), startLocalNats({ authConf: o.authConf })])
  const destroy = async () => {
    if (nats.status === 'fulfilled') await nats.value.destroy().catch(() => {})
    if (pg.status === 'fulfilled') await pg.value.destroy().catch(() => {})
  }
  try {
    if (pg.status === 'rejected') throw pg.reason
    if (nats.status === 'rejected') throw nats.reason
    const databaseUrl = pg.value.url('kickmon')
    await prepareDatabase(databaseUrl)
    return { pg: pg.value, nats: nats.value, databaseUrl, destroy }
  } catch (e) {
    await destroy()
    throw e
  }
}
