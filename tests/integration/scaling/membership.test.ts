import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { StorageType } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs } from '../../harness/nats-auth.ts'
import { ensureBucket } from '../../../shared/src/nats-resources.ts'
import { createLogger } from '../../../shared/src/logger.ts'
import { MEMBERS_BUCKET } from '../../../shared/src/contracts/poller.ts'
import { Membership } from '../../../services/poller/src/membership/membership.ts'
import { ownerOf } from '../../../services/poller/src/membership/rendezvous.ts'
import { eventually } from '../../harness/services.ts'
import { testNats, type LocalNats } from '../../harness/infra.ts'

// Membership on a real nats-server, in this process: each member has its own connection, so
// closing one is that poller dying (no clean leave), as far as the others can tell.

const timing = { heartbeatMs: 200, ttlMs: 800 }
const log = createLogger('poller', 'silent')
let nats: LocalNats
const conns: NatsConnection[] = []

async function member(id: string) {
  const nc = await connectAs(nats.url, 'poller')
  conns.push(nc)
  const kv: KV = await ensureBucket(nc, MEMBERS_BUCKET, { history: 1, ttl: timing.ttlMs, storage: StorageType.Memory })
  const m = new Membership(kv, id, timing, log)
  await m.start()
  return { m, nc }
}

beforeAll(async () => {
  nats = await testNats()
})

afterAll(async () => {
  for (const nc of conns) await nc.close().catch(() => {})
  await nats.destroy()
})

describe('poller membership', () => {
  test('members see each other, agree on every owner and on the leader; a clean leave is seen at once, a dead member after the TTL', async () => {
    const a = await member('a')
    await Bun.sleep(20) // started later: a leads
    const b = await member('b')
    const c = await member('c')
    const all = [a, b, c]
    await eventually(() => all.every(({ m }) => m.ids.join() === 'a,b,c'), 5000, 'everyone sees three')
    for (const { m } of all) expect(m.leader()).toBe('a')
    const keys = Array.from({ length: 200 }, (_, i) => `s${i}`)
    for (const k of keys) expect(all.filter(({ m }) => m.owns(k)).map(({ m }) => m.id)).toEqual([ownerOf(k, ['a', 'b', 'c'])!])

    // c leaves cleanly: the others know well before a TTL.
    const t0 = performance.now()
    await c.m.stop()
    await eventually(() => a.m.ids.join() === 'a,b' && b.m.ids.join() === 'a,b', 5000, 'c gone')
    expect(performance.now() - t0).toBeLessThan(timing.ttlMs)

    // a dies (its connection drops, nothing said): b drops it after the TTL and leads.
    const t1 = performance.now()
    await a.nc.close()
    await eventually(() => b.m.ids.join() === 'b', 5000, 'a gone')
    const took = performance.now() - t1
    expect(took).toBeGreaterThanOrEqual(timing.ttlMs - timing.heartbeatMs)
    expect(b.m.leader()).toBe('b')
    expect(keys.every((k) => b.m.owns(k))).toBe(true)
    await b.m.stop()
  }, 30_000)

  test('a member cut off from NATS keeps its member list rather than declaring everyone dead', async () => {
    const d = await member('d')
    const e = await member('e')
    await eventually(() => d.m.ids.join() === 'd,e' && e.m.ids.join() === 'd,e', 5000, 'both see two')
    nats.kill('SIGSTOP') // the server hangs: no heartbeat goes anywhere
    await Bun.sleep(4 * timing.ttlMs)
    expect(d.m.ids.join()).toBe('d,e')
    expect(e.m.ids.join()).toBe('d,e')
    nats.kill('SIGCONT')
    await Bun.sleep(2 * timing.ttlMs)
    expect(d.m.ids.join()).toBe('d,e')
    await d.m.stop()
    await e.m.stop()
  }, 30_000)
})
