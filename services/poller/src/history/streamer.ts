import { AppError } from '@kickmon/shared/errors'
import type { Sql } from '@kickmon/shared/db'

/** The streamer's row id (monitored or archived), or NOT_FOUND: history exists only for those. */
export async function streamerIdOf(sql: Sql, slug: string): Promise<number> {
  const [row] = await sql<{ id: number }[]>`select id from streamers where slug = ${slug}`
  if (!row) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
  return row.id
}
