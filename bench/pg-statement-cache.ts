// pg-statement-cache: what postgres.js keeps when one statement is sent with `values (…), (…)` lists
// of many sizes (each size is another query text, prepared and cached per connection) against the
// same statement as `unnest` of column arrays (one text). A 13-column update, every size from 1 to
// --max rows in steps of 3, three rounds, 10 connections (the services' pool), on a private
// PostgreSQL; JS heap and RSS after Bun.gc(true). The poller's snapshot writer used the first form.
//
//   bun bench/pg-statement-cache.ts [--form values|unnest|unprepared] [--max 1000]
import { heapStats } from 'bun:jsc'
import postgres from 'postgres'
import { z } from 'zod'
import { startPrivateInfra } from '../scripts/infra/private-infra.ts'
import { int, parseArgs } from './lib/args.ts'

const a = parseArgs({ form: z.enum(['values', 'unnest', 'unprepared']).default('values'), max: int(1000, 1, 5000) })
const infra = await startPrivateInfra({})
const sql = postgres(infra.databaseUrl, { max: 10, prepare: a.form !== 'unprepared', onnotice: () => {} })
const mb = (b: number) => (b / 2 ** 20).toFixed(1)
const snap = (label: string) => {
  Bun.gc(true)
  console.log(`${label}: RSS ${mb(process.memoryUsage().rss)} MB, JS heap ${mb(heapStats().heapSize)} MB, outside the heap ${mb(heapStats().extraMemorySize)} MB`)
}
try {
  await sql`create table t (slug text primary key, a bigint, b text, c boolean, d int)`
  snap('start')
  const cols = ['slug', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'] as const
  for (let round = 0; round < 3; round++) {
    for (let n = 1; n <= a.max; n += 3) {
      const rows = Array.from({ length: n }, (_, i) => [`s${i}`, i, 'x', 't', i, 'a', 1, 'b', null, null, 'api', null, null])
      if (a.form === 'unnest') {
        const c = cols.map((_, k) => rows.map((r) => (r[k] === null ? null : String(r[k]))))
        await sql`update t set a = v.a::bigint from unnest(${c[0]!}::text[], ${c[1]!}::text[], ${c[2]!}::text[], ${c[3]!}::text[], ${c[4]!}::text[],
          ${c[5]!}::text[], ${c[6]!}::text[], ${c[7]!}::text[], ${c[8]!}::text[], ${c[9]!}::text[], ${c[10]!}::text[], ${c[11]!}::text[], ${c[12]!}::text[])
          as v(slug, a, b, c, d, e, f, g, h, i, j, k, l) where t.slug = v.slug`
      } else {
        await sql`update t set a = v.a::bigint from (values ${sql(rows as never)}) as v(slug, a, b, c, d, e, f, g, h, i, j, k, l) where t.slug = v.slug`
      }
    }
  }
  snap(`after 3 × ${Math.ceil(a.max / 3)} sizes (${a.form})`)
} finally {
  await sql.end()
  await infra.destroy()
}
