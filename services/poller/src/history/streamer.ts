import { AppError } from '@kickmon/shared/errors'
import type { Sql } from '@kickmon/shared/db'

/** The streamer's row id, or NOT_FOUND: history exists only for monitored streamers. */
export async function streamerIdOf(sql: Sql, slug: string): Promise<number> {
  const [row] = await sql<{ id: number }[]>`select id from streamers where slug = ${slug}`
  if (!row) throw new AppError('NOT_FOUND', `"${slug}" is not monitored`)
  return row.id
}
