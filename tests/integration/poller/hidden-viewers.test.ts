import { afterAll, beforeAll, expect, test } from 'bun:test'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { SnapshotWriter } from '../../../services/poller/src/recording/snapshot-writer.ts'
import { eventually } from '../../harness/services.ts'
import { watchedPoller, type WatchedPoller } from './poller-kit.ts'

// A streamer hides the viewer count: Kick then reports viewer_count 0 (docs/kick-sim.md, "Kick in
// 2026"). The poller shows "hidden" (viewers null, viewers_hidden true) and never records a 0:
// not as a sample, not in the session's peak or average, not in the chart's points.
let { env, poller, seen, slug, stop } = {} as WatchedPoller
beforeAll(async () => void ({ env, poller, seen, slug, stop } = await watchedPoller()))
afterAll(() => stop?.())

const call = <K extends 'get' | 'sessions' | 'viewers'>(k: K, input: unknown) => request(poller.client, PollerApi[k].subject, input as never, PollerApi[k].output as never) as Promise<any>
const samples = async () =>
  (await env.db.sql<{ viewers: number }[]>`select v.viewers from viewer_samples v join streamers s on s.id = v.streamer_id where s.slug = ${slug} order by v.at`).map((r) => r.viewers)

test('a hidden count is shown as hidden, never as 0 viewers, and is left out of samples, peaks, averages and charts', async () => {
  const t0 = new Date(Date.now() - 60_000).toISOString()
  await request(poller.client, PollerApi.add.subject, { slug }, PollerApi.add.output, { timeout: 10_000 })
  env.sim.world.update(slug, { live: true, viewers: 1000 })
  await eventually(() => seen.findLast((s) => s.slug === slug)?.viewers === 1000, 10_000, '1,000 viewers shown')
  await eventually(async () => (await samples()).length >= 2 || null, 10_000, 'samples of the shown count')

  env.sim.world.update(slug, { viewers_hidden: true })
  const hidden = await eventually(() => {
    const s = seen.findLast((x) => x.slug === slug)
    return s?.viewers_hidden ? s : null
  }, 10_000, 'hidden status')
  expect(hidden).toMatchObject({ live: true, viewers: null, viewers_hidden: true })
  expect(await call('get', { slug })).toMatchObject({ viewers: null, viewers_hidden: true })
  // The poller keeps polling the hidden count and records nothing from it.
  const before = (await samples()).length
  await Bun.sleep(3500) // several 1 s polls; statuses are published only on change, so nothing to wait for
  expect((await samples()).length).toBeLessThanOrEqual(before + 1) // a sample taken just before the switch may land

  env.sim.world.update(slug, { viewers_hidden: false, viewers: 1000 })
  await eventually(() => {
    const s = seen.findLast((x) => x.slug === slug)
    return s?.viewers === 1000 && !s.viewers_hidden ? s : null
  }, 10_000, 'the count shown again')
  const shownAgain = (await samples()).length
  await eventually(async () => (await samples()).length >= shownAgain + 2 || null, 10_000, 'samples again')

  expect(await samples()).not.toContain(0)
  const [session] = await call('sessions', { slug })
  expect(session.peak_viewers).toBe(1000)
  // Every shown count was 1,000 (kick-sim's drift needs its activity loop, off here): the hidden
  // stretch must not pull the average down as zero viewers would.
  expect(session.avg_viewers).toBe(1000)
  const chart = await call('viewers', { slug, from: t0, to: new Date(Date.now() + 60_000).toISOString(), step_s: 1 })
  expect(chart.points.length).toBeGreaterThan(0)
  expect(chart.points.every((p: { min: number }) => p.min > 0)).toBe(true)
})

test('a session\'s average leaves a hidden stretch out, across flushes: neither zero viewers nor the last count carried over', async () => {
  const sql = env.db.sql
  await sql`insert into streamers (slug, username) values ('hider', 'hider')`
  const writer = new SnapshotWriter(sql, createLogger('test', 'silent'))
  const start = new Date(Date.now() - 3600_000)
  start.setMilliseconds(0)
  const t = (s: number) => start.getTime() + s * 1000
  const key = start.toISOString()
  // Shown 100, then hidden for 30 s (two flushes of hidden readings), then shown 300.
  writer.sample('hider', t(0), 100, 'api', key)
  writer.sample('hider', t(10), 100, 'api', key)
  await writer.flush()
  writer.hidden('hider', t(20), key)
  await writer.flush()
  writer.hidden('hider', t(30), key)
  await writer.flush()
  writer.sample('hider', t(40), 300, 'api', key)
  writer.sample('hider', t(50), 300, 'api', key)
  await writer.flush()
  const [row] = await sql<{ viewer_seconds: number; counted_seconds: number; peak_viewers: number }[]>`
    select viewer_seconds, counted_seconds, peak_viewers from stream_sessions ss join streamers s on s.id = ss.streamer_id where s.slug = 'hider'`
  // 100 × 10 s + 300 × 10 s over the 20 s the count was shown; carrying 100 over the gap would give 140.
  expect(row).toEqual({ viewer_seconds: 4000, counted_seconds: 20, peak_viewers: 300 })
  const [session] = await call('sessions', { slug: 'hider' })
  expect(session.avg_viewers).toBe(200)
  expect(await sql`select v.viewers from viewer_samples v join streamers s on s.id = v.streamer_id where s.slug = 'hider' order by at`.then((r) => r.map((x) => x.viewers))).toEqual([100, 100, 300, 300])

  // The same readings in one flush fold to the same figures.
  await sql`insert into streamers (slug, username) values ('hider2', 'hider2')`
  for (const [at, v] of [[0, 100], [10, 100], [20, null], [30, null], [40, 300], [50, 300]] as const)
    v === null ? writer.hidden('hider2', t(at), key) : writer.sample('hider2', t(at), v, 'api', key)
  await writer.flush()
  const [one] = await sql`select viewer_seconds, counted_seconds, peak_viewers from stream_sessions ss join streamers s on s.id = ss.streamer_id where s.slug = 'hider2'`
  expect(one).toEqual({ viewer_seconds: 4000, counted_seconds: 20, peak_viewers: 300 })
})
