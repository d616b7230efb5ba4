import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { FaultSettings } from '../../../services/kick-sim/src/faults.ts'
import { eventually } from '../../harness/services.ts'
import { webhookEnv, type WebhookEnv } from './webhooks-harness.ts'

// Webhooks and polling (POLL_INTERVAL_S=1, OFFLINE_GRACE_S=2) both report every change.
// Whatever kick-sim does to the deliveries, each simulated stream gives exactly one
// `online` and one `offline`, and the final state is Kick's. Streams here last 3 s, so every
// streamer is polled every interval (POLL_COVERED_OFFLINE_EVERY=1): a go-live whose delivery is
// dropped must be seen by a poll within the stream (polling less often: webhooks-covered-polling).
describe('webhook and poll together, under webhook faults', () => {
  let w: WebhookEnv
  let slugs: string[]

  beforeAll(async () => {
    w = await webhookEnv({ sim: { channels: 4 }, config: { POLL_COVERED_OFFLINE_EVERY: '1' } })
    slugs = w.sim.world.list().map((c) => c.slug)
    for (const s of slugs) w.sim.world.update(s, { live: false })
    for (const s of slugs) await w.add(s)
  })
  afterAll(async () => {
    await w?.destroy()
  })

  /** Every channel streams `streams` times; long enough for a poll to see each state. */
  async function streamAll(streams: number) {
    for (let i = 0; i < streams; i++) {
      await Bun.sleep(1100) // Kick's start times have whole seconds: each stream its own second
      for (const s of slugs) w.sim.world.update(s, { live: true, viewers: 100 + i })
      await Bun.sleep(3000)
      for (const s of slugs) w.sim.world.update(s, { live: false })
      // Past the grace window, the slowest delayed delivery and a poll: this stream is over.
      await Bun.sleep(5000)
    }
  }

  async function expectHistory(perSlug: string[]) {
    for (const s of slugs) {
      await eventually(async () => (await w.recorded(s)).length >= perSlug.length, 10_000, `${s} recorded`)
      expect({ slug: s, events: await w.recorded(s) }).toEqual({ slug: s, events: perSlug })
      expect(w.last(s)?.live).toBe(false)
    }
  }

  test('both sources report every change: one online and one offline per stream, and both sources were used', async () => {
    await streamAll(1)
    await expectHistory(['online', 'offline'])
    const sources = new Set(w.seen.map((s) => s.source))
    expect(sources.has('webhook')).toBe(true)
    expect(sources.has('api')).toBe(true)
  }, 60_000)

  test('duplicates (same and new id), delays, reordering and drops still give the right history and final state', async () => {
    const storm: FaultSettings = {
      webhook: { duplicateRate: 0.5, duplicateNewIdRate: 0.5, dropRate: 0.3, delayMs: 100, delayJitterMs: 1500, reorderWindowMs: 400 },
    }
    w.sim.faults.set(storm)
    w.sim.counters.reset()
    await streamAll(2)
    w.sim.faults.clear()
    const c = w.sim.counters.snapshot().webhooks
    expect(c.dropped).toBeGreaterThan(0)
    expect(c.duplicated).toBeGreaterThan(0)
    expect(c.delayed).toBeGreaterThan(0)
    expect(c.reordered).toBeGreaterThan(0)
    await expectHistory(['online', 'offline', 'online', 'offline', 'online', 'offline'])
    // Sessions: one per stream, each ended.
    for (const s of slugs) {
      const rows = await w.sql`select ended_at from stream_sessions ss join streamers st on st.id = ss.streamer_id where st.slug = ${s}`
      expect(rows.length).toBe(3)
      expect(rows.every((r) => r.ended_at !== null)).toBe(true)
    }
  }, 90_000)
})
