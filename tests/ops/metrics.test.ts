import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connectAs } from '../harness/nats-auth.ts'
import { PollerApi } from '../../shared/src/contracts/poller.ts'
import { request } from '../../shared/src/rpc.ts'
import { WEBHOOKS_STREAM, subjects } from '../../shared/src/contracts/names.ts'
import { ADMIN, testStack } from '../harness/stack.ts'
import { eventually } from '../harness/services.ts'

// Every service's /metrics follows docs/design.md#service-conventions, and a request id given to the gateway is
// the one the auth service logs for the NATS request it caused.

type Sample = { name: string; labels: Record<string, string>; value: number }
type Scrape = { types: Map<string, string>; samples: Sample[] }

/** The Prometheus text format, enough of it for these checks. */
function parse(text: string): Scrape {
  const types = new Map<string, string>()
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)/.exec(line)
    if (t) types.set(t[1]!, t[2]!)
    if (!line || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line)
    if (!m) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return { types, samples }
}

describe('metrics and request ids', () => {
  let stack: Awaited<ReturnType<typeof testStack>>
  const port = (name: 'GATEWAY_PORT' | 'POLLER_PORT' | 'AUTH_PORT') => stack.env[name]
  const scrape = async (name: 'GATEWAY_PORT' | 'POLLER_PORT' | 'AUTH_PORT') => {
    const r = await fetch(`http://127.0.0.1:${port(name)}/metrics`)
    expect(r.headers.get('content-type')).toContain('text/plain')
    return parse(await r.text())
  }
  const gw = (path: string, init?: RequestInit) => fetch(`${stack.gatewayUrl}${path}`, init)

  beforeAll(async () => {
    stack = await testStack()
  })
  afterAll(async () => {
    await stack?.destroy()
  })

  test('the gateway times requests by route template, never by raw path; unmatched paths are "unmatched"', async () => {
    await gw('/api/v1/streamers/some-streamer')
    await gw('/api/v1/streamers/another-one')
    await gw('/definitely/not/a/route')
    const login = await gw('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })
    expect(login.status).toBe(200)
    const { types, samples } = await scrape('GATEWAY_PORT')
    expect(types.get('http_request_duration_seconds')).toBe('histogram')
    const counts = samples.filter((s) => s.name === 'http_request_duration_seconds_count')
    const byRoute = (route: string) => counts.filter((s) => s.labels.route === route)
    expect(byRoute('/api/v1/streamers/:slug').reduce((n, s) => n + s.value, 0)).toBe(2)
    expect(byRoute('/api/v1/streamers/:slug')[0]!.labels).toEqual({ method: 'GET', route: '/api/v1/streamers/:slug', status_code: '401', service: 'gateway' })
    expect(byRoute('unmatched').find((s) => s.labels.status_code === '404')?.value).toBeGreaterThanOrEqual(1)
    expect(byRoute('/api/v1/auth/login').find((s) => s.labels.method === 'POST')?.labels.status_code).toBe('200')
    expect(counts.some((s) => /some-streamer|another-one|definitely/.test(s.labels.route ?? ''))).toBe(false)
  })

  test('the gateway gauges its open dashboard sockets and SSE streams, and the gauge falls when they close', async () => {
    const login = await gw('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ')
    const open = async (transport: string) =>
      (await scrape('GATEWAY_PORT')).samples.find((s) => s.name === 'gateway_live_connections' && s.labels.transport === transport)?.value
    expect((await scrape('GATEWAY_PORT')).types.get('gateway_live_connections')).toBe('gauge')
    const [ws0, sse0] = [(await open('websocket')) ?? 0, (await open('sse')) ?? 0]

    const sockets = [0, 1].map(() => new WebSocket(`${stack.gatewayUrl.replace('http', 'ws')}/ws`, { headers: { cookie } } as never))
    const stream = await gw('/api/v1/stream', { headers: { cookie } })
    expect(stream.status).toBe(200)
    await eventually(async () => (await open('websocket')) === ws0 + 2 && (await open('sse')) === sse0 + 1, 10_000, 'two sockets and a stream counted')

    for (const ws of sockets) ws.close()
    await stream.body!.cancel()
    await eventually(async () => (await open('websocket')) === ws0 && (await open('sse')) === sse0, 10_000, 'the gauge back down')
  })

  test('poller and auth count NATS requests by endpoint and outcome', async () => {
    await gw('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: ADMIN.username, password: 'wrong password!' }) })
    const auth = await scrape('AUTH_PORT')
    const login = auth.samples.filter((s) => s.name === 'nats_requests_total' && s.labels.endpoint === 'auth.session.login')
    expect(login.find((s) => s.labels.outcome === 'ok')?.value).toBeGreaterThanOrEqual(1)
    expect(login.find((s) => s.labels.outcome === 'rejected')?.value).toBeGreaterThanOrEqual(1)
    const nc = await connectAs(stack.nats.url, 'operator')
    try {
      await request(nc, PollerApi.list.subject, {}, PollerApi.list.output)
      await expect(request(nc, PollerApi.get.subject, { slug: 'Not A Slug!' }, PollerApi.get.output)).rejects.toMatchObject({ code: 'VALIDATION' })
    } finally {
      await nc.close()
    }
    const poller = await scrape('POLLER_PORT')
    expect(poller.types.get('nats_requests_total')).toBe('counter')
    const list = poller.samples.find((s) => s.name === 'nats_requests_total' && s.labels.endpoint === 'poller.streamers.list')
    expect(list?.labels).toEqual({ endpoint: 'poller.streamers.list', outcome: 'ok', service: 'poller' })
    const bad = poller.samples.find((s) => s.name === 'nats_requests_total' && s.labels.endpoint === 'poller.streamers.get')
    expect(bad?.labels.outcome).toBe('rejected')
  })

  test('the poller exposes poll cycles, Kick requests, webhook lag and recorded events', async () => {
    const { types, samples } = await eventually(async () => {
      const p = await scrape('POLLER_PORT')
      return p.samples.some((s) => s.name === 'kick_requests_total') ? p : null
    }, 20_000, 'a Kick request to be counted')
    expect(types.get('poll_cycle_duration_seconds')).toBe('histogram')
    expect(types.get('webhook_lag_seconds')).toBe('histogram')
    expect(types.get('events_recorded_total')).toBe('counter')
    const kick = samples.find((s) => s.name === 'kick_requests_total')!
    expect(Object.keys(kick.labels).sort()).toEqual(['endpoint', 'service', 'status'])
  })

  test('the poller exports the health report too: webhook subscriptions, deliveries and duplicates, and each endpoint\'s breaker and back-off', async () => {
    const sim = (path: string, init?: RequestInit) =>
      fetch(`${stack.simUrl}${path}`, { ...init, headers: { 'content-type': 'application/json' } }).then(async (r) => {
        expect(r.ok, `${path} ${r.status}`).toBe(true)
        return r.status === 204 ? null : r.json()
      })
    const value = (p: Scrape, name: string, labels: Record<string, string> = {}) =>
      p.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
    const [channel] = (await sim('/_sim/channels')) as { slug: string }[]
    const nc = await connectAs(stack.nats.url, 'operator')
    try {
      await request(nc, PollerApi.add.subject, { slug: channel!.slug }, PollerApi.add.output, { timeout: 15_000 })
      // Kick holds both events' subscriptions for the streamer: alive catches up with wanted.
      const subscribed = await eventually(async () => {
        const p = await scrape('POLLER_PORT')
        const wanted = value(p, 'webhook_subscriptions_wanted') ?? 0
        return wanted >= 2 && value(p, 'webhook_subscriptions_alive') === wanted ? p : null
      }, 30_000, 'webhook subscriptions alive')
      expect(subscribed.types.get('webhook_subscriptions_alive')).toBe('gauge')
      const before = value(subscribed, 'webhook_received_total') ?? 0

      await sim('/_sim/webhooks', { method: 'POST', body: JSON.stringify({ slug: channel!.slug, event: 'livestream.status.updated' }) })
      await eventually(async () => (value(await scrape('POLLER_PORT'), 'webhook_received_total') ?? 0) >= before + 1, 30_000, 'the delivery to be counted')
      // Kick re-sends it after JetStream's 11-minute de-dup window: the poller itself drops the repeat.
      const subject = subjects.webhook('livestream.status.updated')
      const stored = await (await jetstreamManager(nc)).streams.getMessage(WEBHOOKS_STREAM, { last_by_subj: subject })
      await jetstream(nc).publish(subject, stored!.data, { headers: stored!.header, msgID: `${stored!.header.get('Kick-Event-Message-Id')}-late` })
      const repeated = await eventually(async () => {
        const p = await scrape('POLLER_PORT')
        return (value(p, 'webhook_duplicates_total') ?? 0) >= 1 ? p : null
      }, 30_000, 'the repeat to be counted as a duplicate')
      expect(repeated.types.get('webhook_received_total')).toBe('counter')
      expect(repeated.types.get('webhook_duplicates_total')).toBe('counter')
      expect(value(repeated, 'webhook_received_total')).toBeGreaterThanOrEqual(before + 2)
    } finally {
      await nc.close()
    }

    try {
      // Every Kick API call fails: some endpoint's breaker opens, with a back-off to wait out.
      await sim('/_sim/faults', { method: 'PUT', body: JSON.stringify({ errorRate: 1, errorStatuses: [503], paths: ['/public/v1/'] }) })
      const open = await eventually(async () => {
        const p = await scrape('POLLER_PORT')
        const b = p.samples.find((s) => s.name === 'kick_circuit_breaker_state' && s.labels.state === 'open' && s.value === 1)
        return b ? { p, endpoint: b.labels.endpoint! } : null
      }, 60_000, 'a circuit breaker to open')
      expect(open.p.types.get('kick_circuit_breaker_state')).toBe('gauge')
      expect(value(open.p, 'kick_circuit_breaker_state', { endpoint: open.endpoint, state: 'closed' })).toBe(0)
      expect(open.endpoint).toStartWith('/public/v1/')
      expect(value(open.p, 'kick_backoff_seconds', { endpoint: open.endpoint })).toBeGreaterThan(0)

      // Kick recovers: the trial request succeeds and the breaker closes again.
      await sim('/_sim/faults', { method: 'DELETE' })
      await eventually(async () => {
        const p = await scrape('POLLER_PORT')
        return value(p, 'kick_circuit_breaker_state', { endpoint: open.endpoint, state: 'closed' }) === 1 &&
          value(p, 'kick_backoff_seconds', { endpoint: open.endpoint }) === 0
      }, 60_000, `the ${open.endpoint} breaker to close`)
    } finally {
      await fetch(`${stack.simUrl}/_sim/faults`, { method: 'DELETE' })
    }
   }, 240_000)

  test('every metric of every service: snake_case, counters end in _total, every sample labelled with its service', async () => {
    for (const [name, service] of [['GATEWAY_PORT', 'gateway'], ['POLLER_PORT', 'poller'], ['AUTH_PORT', 'auth']] as const) {
      const { types, samples } = await scrape(name)
      expect(samples.length).toBeGreaterThan(0)
      for (const [metric, type] of types) {
        expect(metric, service).toMatch(/^[a-z][a-z0-9_]*$/)
        if (type === 'counter') expect(metric, service).toMatch(/_total$/)
        if (type === 'histogram' && !metric.startsWith('nodejs_')) expect(metric, service).toMatch(/_(seconds|bytes)$/)
      }
      for (const s of samples) expect(s.labels.service, `${service} ${s.name}`).toBe(service)
    }
  })

  test('a request id given to the gateway is carried over NATS into the auth service\'s log lines', async () => {
    const rid = `ops-test-${crypto.randomUUID().slice(0, 8)}`
    const r = await gw('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': rid },
      body: JSON.stringify({ username: 'nobody-here', password: 'not the password' }),
    })
    expect(r.status).toBe(401)
    const logs = (stack as unknown as { logs: string[] }).logs
    const line = await eventually(() => logs.find((l) => l.startsWith('auth ') && l.includes(rid)), 10_000, 'an auth log line with the request id')
    const entry = JSON.parse(line.slice('auth '.length))
    expect(entry).toMatchObject({ service: 'auth', reqId: rid, endpoint: 'auth.session.login', level: 'info' })
    expect(line).not.toContain('not the password')
  })
})
