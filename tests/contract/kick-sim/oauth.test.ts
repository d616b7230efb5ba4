import { afterEach, describe, expect, test } from 'bun:test'
import type { KickSim } from '../../../services/kick-sim/src/sim.ts'
import { api, appToken, BASE, CLIENT_ID, CLIENT_SECRET, control, form, newSim } from './helpers.ts'

// kick-api.md §1: id.kick.com token, revoke, introspect, authorize.
let sim: KickSim
afterEach(async () => sim?.stop())

const tokenReq = (init: RequestInit) => new Request(`${BASE}/oauth/token`, init)

describe('POST /oauth/token (client_credentials)', () => {
  test('answers exactly access_token, expires_in, token_type with an opaque 48-char token', async () => {
    sim = newSim({ tokenTtlS: 1234 })
    const res = await sim.fetch(tokenReq(form({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET })))
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type'])
    expect(body.token_type).toBe('Bearer')
    expect(body.expires_in).toBe(1234)
    expect(body.access_token).toMatch(/^[A-Z0-9]{48}$/)
  })

  test('wrong secret, unknown client or missing grant → 400 {"error":"Invalid request"}', async () => {
    sim = newSim()
    for (const f of [
      { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'nope' },
      { grant_type: 'client_credentials', client_id: 'other', client_secret: CLIENT_SECRET },
      { client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
      { grant_type: 'password', client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    ] as Record<string, string>[]) {
      const res = await sim.fetch(tokenReq(form(f)))
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error: 'Invalid request' })
    }
  })

  test('JSON body (wrong content type) → 400 {"error":"Invalid request"}', async () => {
    sim = newSim()
    const res = await sim.fetch(tokenReq({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
    }))
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'Invalid request' })
  })

  test('tokenEmpty400 fault: 400 with an empty body (#156)', async () => {
    sim = newSim({ faults: { tokenEmpty400: true } })
    const res = await sim.fetch(tokenReq(form({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET })))
    expect(res.status).toBe(400)
    expect(await res.text()).toBe('')
  })

  test('configured credentials are the ones accepted', async () => {
    sim = newSim({ clientId: 'my-app', clientSecret: 's3cret' })
    const ok = await sim.fetch(tokenReq(form({ grant_type: 'client_credentials', client_id: 'my-app', client_secret: 's3cret' })))
    expect(ok.status).toBe(200)
    const old = await sim.fetch(tokenReq(form({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET })))
    expect(old.status).toBe(400)
  })
})

describe('token lifetime', () => {
  test('a token works until expires_in passes, then 401 {"data":{},"message":"Unauthorized"}', async () => {
    sim = newSim({ tokenTtlS: 1 })
    const token = await appToken(sim)
    expect((await api(sim, token, '/public/v1/livestreams/stats')).status).toBe(200)
    await Bun.sleep(1100)
    const res = await api(sim, token, '/public/v1/livestreams/stats')
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ data: null, message: 'Unauthorized' })
  })

  test('unknown or missing token → 401 envelope', async () => {
    sim = newSim()
    for (const t of ['A'.repeat(48), null]) {
      const res = await api(sim, t, '/public/v1/channels?slug=x')
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ data: null, message: 'Unauthorized' })
    }
  })

  test('POST /_sim/tokens/expire expires every issued token at once', async () => {
    sim = newSim()
    const a = await appToken(sim)
    const b = await appToken(sim)
    const res = await control(sim, 'POST', '/_sim/tokens/expire')
    expect(await res.json()).toEqual({ expired: 2 })
    expect((await api(sim, a, '/public/v1/livestreams/stats')).status).toBe(401)
    expect((await api(sim, b, '/public/v1/livestreams/stats')).status).toBe(401)
    expect((await api(sim, await appToken(sim), '/public/v1/livestreams/stats')).status).toBe(200)
  })
})

describe('revoke and introspect', () => {
  test('revoke takes params in the query string and answers plain OK', async () => {
    sim = newSim()
    const token = await appToken(sim)
    const res = await sim.fetch(new Request(`${BASE}/oauth/revoke?token=${token}&token_hint_type=access_token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }))
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('OK')
    expect((await api(sim, token, '/public/v1/livestreams/stats')).status).toBe(401)
    const bad = await sim.fetch(new Request(`${BASE}/oauth/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }))
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: 'Invalid request' })
  })

  test('introspect: active app token with client_id and exp; inactive carries no other fields', async () => {
    sim = newSim({ tokenTtlS: 600 })
    const token = await appToken(sim)
    const res = await api(sim, token, '/oauth/token/introspect', { method: 'POST' })
    const body = (await res.json()) as { data: Record<string, unknown>; message: string }
    expect(body.message).toBe('OK')
    expect(body.data).toMatchObject({ active: true, client_id: CLIENT_ID, token_type: 'app', scope: '' })
    expect(Math.abs((body.data.exp as number) - (Date.now() / 1000 + 600))).toBeLessThan(5)
    const gone = await api(sim, 'B'.repeat(48), '/oauth/token/introspect', { method: 'POST' })
    expect(await gone.json()).toEqual({ data: { active: false }, message: 'OK' })
  })
})

describe('authorization code + PKCE', () => {
  test('authorize redirects with code and state; the code exchanges once for a user token', async () => {
    sim = newSim()
    const verifier = 'v'.repeat(50)
    const challenge = new Bun.CryptoHasher('sha256').update(verifier).digest('base64url')
    const redirect = 'http://localhost:3000/callback'
    const q = new URLSearchParams({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: redirect, state: 'xyz', scope: 'user:read channel:read', code_challenge: challenge, code_challenge_method: 'S256' })
    const res = await sim.fetch(new Request(`${BASE}/oauth/authorize?${q}`))
    expect(res.status).toBe(302)
    const loc = new URL(res.headers.get('location') ?? '')
    expect(loc.origin + loc.pathname).toBe(redirect)
    expect(loc.searchParams.get('state')).toBe('xyz')
    const code = loc.searchParams.get('code') ?? ''
    const exchange = () => sim.fetch(new Request(`${BASE}/oauth/token`, form({ grant_type: 'authorization_code', code, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: redirect, code_verifier: verifier })))
    const tok = await exchange()
    expect(tok.status).toBe(200)
    const body = (await tok.json()) as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'])
    expect(body.scope).toBe('user:read channel:read')
    expect((await exchange()).status).toBe(400) // single use
    // A user token may call /channels without params: its own channel.
    const own = await api(sim, body.access_token as string, '/public/v1/channels')
    expect(own.status).toBe(200)
    expect(((await own.json()) as { data: unknown[] }).data).toHaveLength(1)
    const refreshed = await sim.fetch(new Request(`${BASE}/oauth/token`, form({ grant_type: 'refresh_token', refresh_token: body.refresh_token as string, client_id: CLIENT_ID, client_secret: CLIENT_SECRET })))
    expect(refreshed.status).toBe(200)
  })

  test('authorize without PKCE or with a wrong client → 400 {"error":"Invalid request"}', async () => {
    sim = newSim()
    const q = new URLSearchParams({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: 'http://localhost/cb', state: 's', scope: 'user:read' })
    const res = await sim.fetch(new Request(`${BASE}/oauth/authorize?${q}`))
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'Invalid request' })
  })
})
