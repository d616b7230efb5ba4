import { afterEach } from 'bun:test'
import { createKickSim, type KickSim, type KickSimOptions } from '../../../services/kick-sim/src/sim.ts'

// In-process helpers: requests go straight to sim.fetch (no port) unless a test needs one.

export const BASE = 'http://kick.test'
export const CLIENT_ID = 'kickmon-demo'
export const CLIENT_SECRET = 'kickmon-demo-secret'

export function newSim(opts: KickSimOptions = {}): KickSim {
  return createKickSim({ activity: false, keySeed: 'contract-tests', ...opts })
}

export function form(body: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() }
}

export async function appToken(sim: KickSim): Promise<string> {
  const res = await sim.fetch(new Request(`${BASE}/oauth/token`, form({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET })))
  if (res.status !== 200) throw new Error(`token: ${res.status}`)
  return ((await res.json()) as { access_token: string }).access_token
}

export async function api(sim: KickSim, token: string | null, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (token) headers.set('authorization', `Bearer ${token}`)
  return sim.fetch(new Request(`${BASE}${path}`, { ...init, headers }))
}

export async function control(sim: KickSim, method: string, path: string, body?: unknown): Promise<Response> {
  return sim.fetch(new Request(`${BASE}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }))
}

/** Subscribes the app to `events` of one broadcaster, delivered by webhook. */
export async function subscribe(sim: KickSim, token: string, userId: number, events = ['livestream.status.updated', 'livestream.metadata.updated']) {
  const res = await api(sim, token, '/public/v1/events/subscriptions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ broadcaster_user_id: userId, events: events.map((name) => ({ name, version: 1 })), method: 'webhook' }),
  })
  return { status: res.status, body: (await res.json()) as { data: any; message: string } }
}

export function query(key: string, values: (string | number)[]): string {
  return values.map((v) => `${key}=${encodeURIComponent(String(v))}`).join('&')
}

/** A webhook receiver on port 0 that records every delivery. */
export type Received = { headers: Record<string, string>; body: string; at: number }
export type Receiver = ReturnType<typeof receiver>

export function receiver(status: (n: number) => number = () => 200) {
  const got: Received[] = []
  const waiters: (() => void)[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = await req.text()
      const headers: Record<string, string> = {}
      req.headers.forEach((v, k) => (headers[k] = v))
      got.push({ headers, body, at: Date.now() })
      for (const w of waiters.splice(0)) w()
      return new Response('ok', { status: status(got.length) })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}/webhooks/kick`,
    got,
    /** Resolves once `n` deliveries arrived (or rejects after `ms`). */
    async waitFor(n: number, ms = 5000): Promise<Received[]> {
      const deadline = Date.now() + ms
      while (got.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} deliveries, got ${got.length}`)
        await Promise.race([new Promise<void>((r) => waiters.push(r)), Bun.sleep(50)])
      }
      return got
    },
    stop: () => server.stop(true),
  }
}

/** After each test of the calling file: stops the kick-sim and the webhook receiver `current` names then. */
export function stopAfterEach(current: () => [KickSim | undefined, Receiver | null]) {
  afterEach(async () => {
    const [sim, rx] = current()
    await sim?.stop()
    rx?.stop()
  })
}
