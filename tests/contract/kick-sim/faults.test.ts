import { afterEach, describe, expect, test } from 'bun:test'
import type { KickSim } from '../../../services/kick-sim/src/sim.ts'
import { api, appToken, BASE, control, newSim } from './helpers.ts'

// Fault switches (PUT /_sim/faults): rate limit, 5xx, resets, hangs, latency, validation.
let sim: KickSim
afterEach(async () => sim?.stop())

const stats = (t: string) => api(sim, t, '/public/v1/livestreams/stats')

describe('429 token bucket', () => {
  test('per-app bucket: burst passes, then 429 without Retry-After; refills over time', async () => {
    sim = newSim()
    const t = await appToken(sim)
    await control(sim, 'PUT', '/_sim/faults', { rateLimit: { rps: 5, burst: 3 } })
    const codes = [] as number[]
    for (let i = 0; i < 5; i++) codes.push((await stats(t)).status)
    expect(codes).toEqual([200, 200, 200, 429, 429])
    const limited = await stats(t)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBeNull()
    await Bun.sleep(450) // 5/s refills 2 tokens
    expect((await stats(t)).status).toBe(200)
    expect(sim.counters.snapshot().rate_limited).toBe(3)
    expect(sim.counters.count('GET /public/v1/livestreams/stats', 429)).toBe(3)
  })

  test('with retryAfter the 429 carries Retry-After seconds', async () => {
    sim = newSim()
    const t = await appToken(sim)
    await control(sim, 'PUT', '/_sim/faults', { rateLimit: { rps: 0.5, burst: 1, retryAfter: true } })
    expect((await stats(t)).status).toBe(200)
    const res = await stats(t)
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('2')
  })

  test('a second app token of the same app shares the bucket', async () => {
    sim = newSim()
    const a = await appToken(sim)
    const b = await appToken(sim)
    await control(sim, 'PUT', '/_sim/faults', { rateLimit: { rps: 1, burst: 1 } })
    expect((await stats(a)).status).toBe(200)
    expect((await stats(b)).status).toBe(429)
  })
})

describe('errors, resets, hangs, latency', () => {
  test('errorRate 1 answers 5xx from the configured list; paths limits the blast radius', async () => {
    sim = newSim()
    const t = await appToken(sim)
    await control(sim, 'PUT', '/_sim/faults', { errorRate: 1, errorStatuses: [503], paths: ['/public/v1/livestreams/stats'] })
    expect((await stats(t)).status).toBe(503)
    expect((await api(sim, t, '/public/v1/users/livestreams?user_id=1')).status).toBe(200)
    await control(sim, 'PUT', '/_sim/faults', { errorRate: 1, errorStatuses: [500] })
    const res = await stats(t)
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ data: null, message: 'Internal server error' })
  })

  test('resetRate 1 closes the connection (ECONNRESET over a real socket)', async () => {
    sim = newSim()
    const { url } = sim.listen(0)
    await control(sim, 'PUT', '/_sim/faults', { resetRate: 1 })
    const err = await fetch(`${url}/public/v1/livestreams/stats`).then(() => null, (e: unknown) => e)
    expect(String(err)).toContain('ECONNRESET')
    expect(sim.counters.count('GET /public/v1/livestreams/stats', 0)).toBe(1)
  })

  test('hangRate 1 gives no answer until the client gives up', async () => {
    sim = newSim()
    const { url } = sim.listen(0)
    await control(sim, 'PUT', '/_sim/faults', { hangRate: 1, hangMs: 60_000 })
    const t0 = Date.now()
    const err = await fetch(`${url}/public/v1/livestreams/stats`, { signal: AbortSignal.timeout(300) }).then(() => null, (e: Error) => e)
    expect(err?.name).toBe('TimeoutError')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290)
    expect(sim.counters.snapshot().faults.hangs).toBe(1)
  })

  test('latencyMs delays the answer; DELETE /_sim/faults clears everything', async () => {
    sim = newSim()
    const t = await appToken(sim)
    await control(sim, 'PUT', '/_sim/faults', { latencyMs: 150 })
    let t0 = performance.now()
    expect((await stats(t)).status).toBe(200)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145)
    const cleared = await control(sim, 'DELETE', '/_sim/faults')
    expect(await cleared.json()).toEqual({})
    t0 = performance.now()
    await stats(t)
    expect(performance.now() - t0).toBeLessThan(100)
  })
})

describe('fault settings API', () => {
  test('GET shows what PUT set; PATCH merges', async () => {
    sim = newSim()
    await control(sim, 'PUT', '/_sim/faults', { errorRate: 0.1, webhook: { dropRate: 0.5 } })
    await control(sim, 'PATCH', '/_sim/faults', { latencyMs: 20, webhook: { delayMs: 10 } })
    const res = await control(sim, 'GET', '/_sim/faults')
    expect(await res.json()).toEqual({ errorRate: 0.1, latencyMs: 20, webhook: { dropRate: 0.5, delayMs: 10 } })
  })

  test('invalid settings → 400 with the offending field named, and nothing changes', async () => {
    sim = newSim()
    await control(sim, 'PUT', '/_sim/faults', { errorRate: 0.2 })
    for (const [bad, field] of [[{ errorRate: 2 }, 'errorRate'], [{ rateLimit: { rps: -1 } }, 'rateLimit.rps'], [{ nonsense: true }, 'nonsense']] as const) {
      const res = await control(sim, 'PUT', '/_sim/faults', bad)
      expect(res.status).toBe(400)
      const body = (await res.json()) as { error: { code: string; message: string } }
      expect(body.error.code).toBe('validation')
      expect(body.error.message).toContain(field)
    }
    const notJson = await sim.fetch(new Request(`${BASE}/_sim/faults`, { method: 'PUT', body: '{nope' }))
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('invalid_json')
    expect(await (await control(sim, 'GET', '/_sim/faults')).json()).toEqual({ errorRate: 0.2 })
  })

  test('a scenario passed at start applies faults and channels', async () => {
    sim = newSim({ scenario: { faults: { errorRate: 1, errorStatuses: [502] }, channels: [{ slug: 'scenario_chan', live: true, viewers: 777 }] } })
    expect(sim.world.get('scenario_chan')).toMatchObject({ live: true, viewers: 777 })
    expect(sim.faults.get()).toEqual({ errorRate: 1, errorStatuses: [502] })
  })
})

describe('scenario files', () => {
  test('the shipped scenarios parse; a broken file is rejected with its path', async () => {
    const { loadScenario } = await import('../../../services/kick-sim/src/scenario.ts')
    for (const name of ['flaky', 'blocked-website']) {
      const s = await loadScenario(`${import.meta.dir}/../../../services/kick-sim/scenarios/${name}.json`)
      expect(s.faults).toBeDefined()
    }
    const bad = `${process.env.TMPDIR ?? '/tmp'}/kick-sim-bad-${process.pid}.json`
    await Bun.write(bad, JSON.stringify({ faults: { errorRate: 5 } }))
    await expect(loadScenario(bad)).rejects.toThrow(bad)
    await expect(loadScenario('/nope/missing.json')).rejects.toThrow('not found')
  })
})
