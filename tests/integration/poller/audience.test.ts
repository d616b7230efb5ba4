import { afterAll, beforeAll, expect, test } from 'bun:test'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { startPoller } from '../../../services/poller/src/poller.ts'
import { eventually, inProcess, testEnv, type TestEnv } from '../../harness/services.ts'
import type { InProcessPoller } from './poller-kit.ts'

// Subscriber counts from Kick's /public/v1/channels are recorded with the profile when a
// streamer is added and kept up to date by the metadata refresh, in PostgreSQL with their time.
let env: TestEnv
let poller: InProcessPoller
let slug: string
const profile = () => request(poller.client, PollerApi.profile.subject, { slug }, PollerApi.profile.output)

beforeAll(async () => {
  env = await testEnv({ channels: 2 })
  poller = await inProcess('poller', env.config({ KICK_WEBHOOKS: 'off' }), (ctx) => startPoller(ctx, { metadataIntervalMs: 500 }))
  slug = env.sim.world.list()[0]!.slug
  await request(poller.client, PollerApi.add.subject, { slug }, PollerApi.add.output, { timeout: 10_000 })
})
afterAll(async () => {
  await poller?.stop()
  await env?.destroy()
})

test('recorded when added, then followed as Kick changes them (active includes gifted; gifted is its share)', async () => {
  const ch = env.sim.world.bySlug(slug)!
  const first = await profile()
  expect(first).toMatchObject({ active_subscribers_count: ch.activeSubs, active_gifted_subscribers_count: ch.giftedSubs })
  // Kick's figures move: 40 new gifted subscriptions.
  ch.activeSubs += 40
  ch.giftedSubs += 40
  ch.rev++
  const next = await eventually(async () => {
    const p = await profile()
    return p.active_subscribers_count === ch.activeSubs ? p : null
  }, 15_000, 'the metadata refresh to pick up the new counts')
  expect(next.active_gifted_subscribers_count).toBe(ch.giftedSubs)
  expect(Date.parse(next.subscribers_at!)).toBeGreaterThan(Date.parse(first.subscribers_at!))
  const [row] = await env.db.sql`select active_subscribers_count, active_gifted_subscribers_count, subscribers_at from streamers where slug = ${slug}`
  expect(row).toEqual({ active_subscribers_count: ch.activeSubs, active_gifted_subscribers_count: ch.giftedSubs, subscribers_at: new Date(next.subscribers_at!) })
}, 30_000)
