import postgres from 'postgres'
import type { Logger } from './logger.ts'

export type Sql = postgres.Sql
/** A transaction's handle (inside `sql.begin`). */
export type Tx = postgres.TransactionSql

export function createDb(url: string, applicationName: string, max = 10): Sql {
  return postgres(url, {
    max,
    idle_timeout: 30,
    connect_timeout: 5,
    onnotice: () => {},
    transform: { undefined: null },
    connection: { application_name: applicationName },
  })
}

/** Retry until the database answers (services wait rather than crash-loop). */
export async function waitForDb(sql: Sql, onRetry: (err: unknown, attempt: number) => void, signal?: AbortSignal) {
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`
      return
    } catch (e) {
      if (signal?.aborted) throw e
      onRetry(e, attempt)
      await Bun.sleep(Math.min(5000, 250 * 2 ** Math.min(attempt, 5)))
    }
  }
}

/**
 * Retry until migrations have made `tables` (a service started before `kickmon db migrate` waits
 * rather than crash); `service` names it in the warning.
 */
export async function waitForTables(sql: Sql, tables: string[], log: Pick<Logger, 'warn'>, service: string) {
  for (let attempt = 1; ; attempt++) {
    const [r] = await sql<{ ok: boolean }[]>`select bool_and(to_regclass(t) is not null) as ok from unnest(${tables}::text[]) as t`
    if (r?.ok) return
    if (attempt === 1 || attempt % 10 === 0) log.warn(`${service} tables are missing: waiting for migrations (\`kickmon db migrate\`)`)
    await Bun.sleep(1000)
  }
}
