import { afterEach, describe, expect, test } from 'bun:test'
import type { KickSim } from '../../../services/kick-sim/src/sim.ts'
import { BASE, control, newSim } from './helpers.ts'

// docs/kick-api.md#kicks-website-unofficial: kick.com/api/v1|v2/channels/<slug>, the channel page, and both blocks.
let sim: KickSim
afterEach(async () => sim?.stop())

const web = (path: string, init?: RequestInit) => sim.fetch(new Request(`${BASE}${path}`, init))

describe('website endpoints', () => {
  test('/api/v2/channels/<slug> live: the website channel JSON shape (docs/kick-api.md#channel-json), "YYYY-MM-DD HH:MM:SS" times, display-name language', async () => {
    sim = newSim()
    const ch = sim.world.list().find((c) => c.live)!
    const res = await web(`/api/v2/channels/${ch.slug}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('server')).toBe('cloudflare')
    const body = (await res.json()) as Record<string, any>
    expect(body).toMatchObject({ id: ch.channel_id, user_id: ch.user_id, slug: ch.slug, followers_count: ch.followers, verified: ch.verified })
    expect(body.id).not.toBe(body.user_id)
    expect(body.user.profile_pic).toContain(`/images/user/${ch.user_id}/`)
    expect(body.chatroom.id).toBeNumber()
    const ls = body.livestream
    expect(ls).toMatchObject({ id: ch.livestream_id, channel_id: ch.channel_id, session_title: ch.title, is_live: true, viewer_count: ch.viewers })
    expect(ls.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(ls.start_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(Date.parse(`${ls.created_at}Z`)).toBe(Math.floor(Date.parse(ch.started_at!) / 1000) * 1000)
    expect(ls.language.length).toBeGreaterThan(2) // "English", not "en"
    expect(ls.categories[0].name).toBe(ch.category!.name)
  })

  test('offline: livestream null; v1 uses followersCount and previous_livestreams', async () => {
    sim = newSim()
    const ch = sim.world.list().find((c) => c.live)!
    await control(sim, 'PATCH', `/_sim/channels/${ch.slug}`, { live: false })
    const v2 = (await (await web(`/api/v2/channels/${ch.slug}`)).json()) as Record<string, any>
    expect(v2.livestream).toBeNull()
    const v1 = (await (await web(`/api/v1/channels/${ch.slug}`)).json()) as Record<string, any>
    expect(v1.followersCount).toBe(ch.followers)
    expect(v1.followers_count).toBeUndefined()
    expect(v1.previous_livestreams[0]).toMatchObject({ id: ch.livestream_id, session_title: ch.title, is_live: false })
  })

  test('unknown slug → Laravel HTML 404 on JSON and page routes', async () => {
    sim = newSim()
    for (const p of ['/api/v2/channels/nobody_here', '/api/v1/channels/nobody_here', '/nobody_here']) {
      const res = await web(p)
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toContain('text/html')
      expect(await res.text()).toContain('<title>Not Found</title>')
    }
  })

  test('the channel page shows the channel', async () => {
    sim = newSim()
    const ch = sim.world.list().find((c) => c.live)!
    const res = await web(`/${ch.slug}`)
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toContain(ch.username)
    expect(text).toContain('LIVE')
  })
})

describe('blocks', () => {
  /** A new sim with `fault` on: what the website API answers for its first channel (a 403). */
  async function blocked(fault: { challenge: true } | { waf: true }) {
    sim = newSim()
    const ch = sim.world.list()[0]!
    await control(sim, 'PUT', '/_sim/faults', fault)
    const res = await web(`/api/v2/channels/${ch.slug}`)
    expect(res.status).toBe(403)
    return { ch, res }
  }

  test('challenge: plain fetch gets 403 + cf-mitigated: challenge + "Just a moment..." and never passes', async () => {
    const { ch, res } = await blocked({ challenge: true })
    expect(res.headers.get('cf-mitigated')).toBe('challenge')
    expect(res.headers.get('server')).toBe('cloudflare')
    expect(res.headers.get('cf-ray')).toMatch(/^[0-9a-f]{16}-[A-Z]{3}$/)
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8')
    const body = await res.text()
    expect(body).toStartWith('<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>')
    for (const marker of ['challenge-success-text', 'window._cf_chl_opt', '/cdn-cgi/challenge-platform/']) expect(body).toContain(marker)
    // Replaying the cookies it set (a client that runs no JavaScript) does not help.
    const again = await web(`/api/v2/channels/${ch.slug}`, { headers: { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '' } })
    expect(again.status).toBe(403)
    // The page route is challenged too; the public API is not.
    expect((await web(`/${ch.slug}`)).status).toBe(403)
    expect(sim.counters.snapshot().faults.challenges).toBe(3)
  })

  test('WAF block: 403 JSON {"error":"Request blocked by security policy.","reference":"<8 hex>"}', async () => {
    const { ch, res } = await blocked({ waf: true })
    const body = (await res.json()) as Record<string, string>
    expect(Object.keys(body).sort()).toEqual(['error', 'reference'])
    expect(body.error).toBe('Request blocked by security policy.')
    expect(body.reference).toMatch(/^[0-9a-f]{8}$/)
    expect((await web(`/${ch.slug}`)).status).toBe(200) // the WAF guards kick.com/api only
  })
})
