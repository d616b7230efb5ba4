import postgres from 'postgres'
import { createDb } from '../../shared/src/db.ts'
import { migrate } from '../../shared/src/migrate.ts'

/** Runs `fn` on the server's `postgres` database (to create or drop the one `url` names). */
async function onServer<T>(url: string, fn: (admin: postgres.Sql, name: string) => Promise<T>): Promise<T> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres'
  const adminUrl = new URL(url)
  adminUrl.pathname = '/postgres'
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 })
  try {
    return await fn(admin, name)
  } finally {
    await admin.end()
  }
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`

/** Creates the database `url` names unless it exists (an error if we may not). */
export function ensureDatabase(url: string): Promise<void> {
  return onServer(url, async (admin, name) => {
    const [row] = await admin`select 1 as ok from pg_database where datname = ${name}`
    if (!row) await admin.unsafe(`create database ${quoted(name)}`)
  })
}

/** Drops the database `url` names, ending the sessions still on it. */
export function dropDatabase(url: string): Promise<void> {
  return onServer(url, async (admin, name) => void (await admin.unsafe(`drop database if exists ${quoted(name)} with (force)`)))
}

/** Ensures the database exists (creating it if we may), then applies migrations. */
export async function prepareDatabase(url: string) {
  await ensureDatabase(url)
  const sql = createDb(url, 'migrate', 1)
  try {
    return await migrate(sql)
  } finally {
    await sql.end()
  }
}
