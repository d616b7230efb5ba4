import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createLogger } from '../../../shared/src/logger.ts'
import { dropExpiredSamples } from '../../../services/poller/src/recording/sample-retention.ts'
import { createTestDb, type TestDb } from '../../harness/infra.ts'

// VIEWER_SAMPLES_KEEP_DAYS: samples older than the retention go as whole days; recent ones and
// the stream sessions built from them stay.
let db: TestDb
const log = createLogger('test', 'silent')
beforeAll(async () => {
  db = await createTestDb()
  const [s] = await db.sql<{ id: number }[]>`insert into streamers (slug, username) values ('keeper', 'keeper') returning id`
  // Days 100..98 ago, and today, each with a sample; one old straggler in the default partition.
  await db.sql`select ensure_viewer_sample_partitions(current_date - 100, 3)`
  await db.sql`select ensure_viewer_sample_partitions(current_date, 1)`
  for (const daysAgo of [100, 99, 98, 0])
    await db.sql`insert into viewer_samples (streamer_id, at, viewers, source) values (${s!.id}, date_trunc('day', now()) - make_interval(days => ${daysAgo}) + interval '1 hour', 5, 'api')`
  await db.sql`insert into viewer_samples_default (streamer_id, at, viewers, source) values (${s!.id}, now() - interval '400 days', 5, 'api')`
  await db.sql`insert into stream_sessions (streamer_id, started_at, ended_at) values (${s!.id}, now() - interval '100 days', now() - interval '100 days' + interval '2 hours')`
})
afterAll(() => db.drop())

const partitions = async () =>
  (await db.sql<{ relname: string }[]>`select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'viewer_samples'::regclass order by 1`).map((r) => r.relname)
const sampleDays = async () =>
  (await db.sql<{ d: number }[]>`select (current_date - at::date) as d from viewer_samples order by at`).map((r) => r.d)

test('0 keeps every sample', async () => {
  expect(await dropExpiredSamples(db.sql, 0, log)).toBe(0)
  expect(await sampleDays()).toEqual([400, 100, 99, 98, 0])
})

test('keeping 99 days drops the partitions of the days before, and old stragglers; sessions stay', async () => {
  const before = await partitions()
  expect(await dropExpiredSamples(db.sql, 99, log)).toBe(1)
  expect(await sampleDays()).toEqual([99, 98, 0])
  const after = await partitions()
  expect(before.filter((p) => !after.includes(p))).toHaveLength(1)
  expect(after).toContain('viewer_samples_default')
  const [n] = await db.sql<{ n: number }[]>`select count(*)::int as n from stream_sessions`
  expect(n!.n).toBe(1)
  expect(await dropExpiredSamples(db.sql, 99, log)).toBe(0) // idempotent
})

test('a one-day retention keeps only today', async () => {
  expect(await dropExpiredSamples(db.sql, 1, log)).toBe(2)
  expect(await sampleDays()).toEqual([0])
})
