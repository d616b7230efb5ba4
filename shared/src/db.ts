import postgres from 'postgres'

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
