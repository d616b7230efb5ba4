import { startLocalPostgres, type LocalPostgres } from '../../scripts/infra/postgres.ts'
import { startLocalNats, type LocalNats } from '../../scripts/infra/nats.ts'
import { dropDatabase, ensureDatabase } from '../../scripts/infra/database.ts'
import { createDb, type Sql } from '../../shared/src/db.ts'
import { migrate } from '../../shared/src/migrate.ts'
import { atRunEnd } from './run-end.ts'
import { connectAs, testNatsAuth } from './nats-auth.ts'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Identity } from '../../deploy/nats/permissions.ts'

export type { LocalPostgres, LocalNats }

// One private cluster per test process; each test file gets its own database in it.
let cluster: Promise<LocalPostgres> | null = null
export function testPostgres(): Promise<LocalPostgres> {
  if (!cluster) {
    const started = (cluster = startLocalPostgres({ fast: true }))
    atRunEnd(async () => {
      if (cluster === started) cluster = null
      await (await started.catch(() => null))?.destroy()
    })
  }
  return cluster
}

export type TestDb = { url: string; sql: Sql; drop: () => Promise<void> }

/** A fresh, migrated database; `drop()` removes it. */
export async function createTestDb(opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const pg = await testPostgres()
  const url = pg.url(`t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`)
  await ensureDatabase(url)
  const sql = createDb(url, 'test', 5)
  if (opts.migrate !== false) await migrate(sql)
  return {
    url, sql,
    drop: async () => {
      await sql.end({ timeout: 1 })
      await dropDatabase(url)
    },
  }
}

/** A private nats-server with authentication on (the shipped permissions; tests/harness/nats-auth.ts). */
export function testNats(): Promise<LocalNats> {
  return startLocalNats({ authConf: testNatsAuth().authConf })
}

export type TestNatsClients = { nats: LocalNats; clients: NatsConnection[]; destroy: () => Promise<void> }

/** A private nats-server (as testNats) and a client connected as each of `identities`, in that order. */
export async function testNatsWithClients(...identities: Identity[]): Promise<TestNatsClients> {
  const nats = await testNats()
  const clients: NatsConnection[] = []
  const destroy = async () => {
    for (const c of clients) await c.close()
    await nats.destroy()
  }
  try {
    for (const id of identities) clients.push(await connectAs(nats.url, id))
    return { nats, clients, destroy }
  } catch (e) {
    await destroy()
    throw e
  }
}
