import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startLocalPostgres, type LocalPostgres } from '../../../scripts/infra/postgres.ts'
import { prepareDatabase } from '../../../scripts/infra/database.ts'
import { parseEnv } from '../../../shared/src/parse-env.ts'
import { PollerConfigSchema, type PollerConfig } from '../../../services/poller/src/config.ts'
import { createDb, type Sql } from '../../../shared/src/db.ts'
import { createKickSim, type KickSim } from '../../../services/kick-sim/src/sim.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { testNats, type LocalNats } from '../../harness/infra.ts'
import { eventually, inProcess } from '../../harness/services.ts'
import { history, historyProblems, listStreamers } from './faults-kit.ts'
import type { InProcessPoller } from './poller-kit.ts'

// PostgreSQL stopped mid-run and started again: events made meanwhile wait in JetStream
// (the recorder acknowledges only after commit), viewer samples wait in the snapshot
// writer, and once PostgreSQL is back everything lands exactly once.

describe('poller across a PostgreSQL stop and start', () => {
  let pg: LocalPostgres // a private server, so this test may stop it
  let nats: LocalNats
  let sim: KickSim
  let sql: Sql
  let poller: InProcessPoller<PollerConfig>
  let slugs: string[]

  beforeAll(async () => {
    ;[pg, nats] = await Promise.all([startLocalPostgres({ fast: true }), testNats()])
    const url = pg.url('kickmon')
    await prepareDatabase(url)
    sim = createKickSim({ channels: 5, activity: false })
    const simUrl = sim.listen(0).url
    slugs = sim.world.list().map((c) => c.slug)
    for (const s of slugs) sim.world.update(s, { live: false })
    sql = createDb(url, 'test', 2)
    await listStreamers(sql, slugs)
    const config = parseEnv(PollerConfigSchema, {
      DATABASE_URL: url, NATS_URL: nats.url, KICK_API_URL: simUrl, KICK_AUTH_URL: simUrl, KICK_WEB_URL: simUrl,
      KICK_CLIENT_ID: 'kickmon-demo', KICK_CLIENT_SECRET: 'kickmon-demo-secret', KICK_WEBHOOKS: 'off',
      POLL_INTERVAL_S: '1', OFFLINE_GRACE_S: '2', POLLER_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    })
    poller = await inProcess('poller', config, (ctx) => startPoller(ctx))
    await eventually(() => slugs.every((s) => poller.result.monitor.get(s)?.stale === false), 15_000, 'every streamer read')
  }, 60_000)
  afterAll(async () => {
    await poller?.stop()
    await sql?.end({ timeout: 1 })
    await sim?.stop()
    await nats?.destroy()
    await pg?.destroy()
  })

  test('nothing made while PostgreSQL was down is lost or doubled', async () => {
    const [ends, starts, whole] = slugs as [string, string, string]
    sim.world.update(ends, { live: true, viewers: 40 })
    await eventually(async () => (await history(sql, ends)) === 'online', 10_000, 'online recorded before the outage')
    const monitor = poller.result.monitor

    await pg.stop()
    const downAt = new Date()
    sim.world.update(ends, { live: false })
    sim.world.update(starts, { live: true, viewers: 100 })
    sim.world.update(whole, { live: true, viewers: 10 }) // a whole stream while the database is away
    await eventually(() => monitor.get(starts)?.live && monitor.get(whole)?.live, 10_000, 'live detected during the outage')
    sim.world.update(starts, { viewers: 150 })
    sim.world.update(whole, { live: false })
    await eventually(() => monitor.get(ends)?.live === false && monitor.get(whole)?.live === false, 15_000, 'offline detected during the outage')
    await Bun.sleep(3000) // the recorder and the snapshot writer keep failing and retrying meanwhile
    const upAt = new Date()
    await pg.start()

    await eventually(async () => (await history(sql, ends)) === 'online,offline', 30_000, `${ends}: online,offline`)
    await eventually(async () => (await history(sql, starts)) === 'online', 30_000, `${starts}: online`)
    await eventually(async () => (await history(sql, whole)) === 'online,offline', 30_000, `${whole}: online,offline`)
    expect(await historyProblems(sql)).toEqual([])
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from status_events`
    expect(row!.n).toBe(5)

    // Viewer samples taken during the outage were kept and written afterwards.
    const during = await eventually(async () => {
      const [r] = await sql<{ n: number; peak: number }[]>`select count(*)::int as n, max(v.viewers)::int as peak from viewer_samples v
        join streamers s on s.id = v.streamer_id where s.slug = ${starts} and v.at between ${downAt} and ${upAt}`
      return r!.n > 0 ? r : null
    }, 15_000, 'samples from the outage')
    expect(during.peak).toBe(150)
    // Sessions: the whole stream has its end, the ongoing one is open with its peak.
    const sessions = await sql<{ slug: string; ended: boolean; peak: number }[]>`select s.slug, ss.ended_at is not null as ended, ss.peak_viewers as peak
      from stream_sessions ss join streamers s on s.id = ss.streamer_id order by s.slug`
    expect(sessions.find((x) => x.slug === whole)).toMatchObject({ ended: true, peak: 10 })
    expect(sessions.find((x) => x.slug === starts)).toMatchObject({ ended: false, peak: 150 })
    expect(sessions.find((x) => x.slug === ends)).toMatchObject({ ended: true })
    expect(sessions.length).toBe(3)
    // And the current-status row caught up.
    await eventually(async () => (await sql`select live from streamers where slug = ${starts}`)[0]?.live === true, 10_000, 'the status row')
  }, 90_000)
})
