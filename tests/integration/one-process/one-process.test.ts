import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createInbox } from '@nats-io/transport-node'
import { connectAs } from '../../harness/nats-auth.ts'
import { eventually } from '../../harness/services.ts'
import { ADMIN, testStack } from '../../harness/stack.ts'
import { inboxPrefix } from '../../../shared/src/nats-identity.ts'

// ONE_PROCESS=on: auth, poller and gateway in one Bun process (scripts/one-process.ts). What a
// user must not notice: each is still its own service in $SRV with its own health, each still
// connects to NATS as its own identity (the shipped permissions would refuse a service using
// another's key: its endpoints could not subscribe and its requests would be denied), and the
// whole system works: a login (gateway → auth), adding a streamer (gateway → poller → Kick),
// its status on the dashboard API and live feed (poller → gateway), and a clean stop that tells open
// sockets the server is restarting.
let stack: Awaited<ReturnType<typeof testStack>>
/** The close code of the dashboard socket left open for the stop. */
let feedClosed: Promise<number> | null = null

beforeAll(async () => {
  // The notifier always runs as a process of its own; this is about the three.
  stack = await testStack({ env: { ONE_PROCESS: 'on' }, services: ['auth', 'poller', 'gateway'] })
}, 90_000)
afterAll(async () => {
  await stack?.destroy()
})

test('one process carries the three services', () => {
  const pids = new Set(['auth', 'poller', 'gateway'].map((n) => stack.procs.get(n as 'auth')!.pid))
  expect(pids.size).toBe(1)
  expect([...pids][0]).toBeNumber()
})

test('each service answers $SRV.PING under its own name, once, and has its own health', async () => {
  const nc = await connectAs(stack.nats.url, 'operator')
  try {
    const names: string[] = []
    const inbox = createInbox(inboxPrefix('operator'))
    const sub = nc.subscribe(inbox, { callback: (_e, m) => void names.push(m.json<{ name: string }>().name) })
    nc.publish('$SRV.PING', '', { reply: inbox })
    await eventually(() => names.length >= 3, 5000, 'three services answering $SRV.PING')
    await Bun.sleep(300)
    expect(names.sort()).toEqual(['auth', 'gateway', 'poller'])
    sub.unsubscribe()
  } finally {
    await nc.close()
  }
  for (const [name, port] of [['auth', stack.env.AUTH_PORT], ['poller', stack.env.POLLER_PORT], ['gateway', stack.env.GATEWAY_PORT]] as const) {
    const r = await fetch(`http://127.0.0.1:${port}/readyz`)
    expect(r.status).toBe(200)
    expect(((await r.json()) as { service: string }).service).toBe(name)
  }
})

test('the services work together as separate identities: log in, add a streamer, see its status', async () => {
  const login = await fetch(`${stack.gatewayUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })
  expect(login.status).toBe(200)
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const { csrf_token } = (await login.json()) as { csrf_token: string }
  const slug = ((await (await fetch(`${stack.simUrl}/_sim/channels`)).json()) as { slug: string }[])[0]!.slug
  const add = await fetch(`${stack.gatewayUrl}/api/v1/streamers`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf_token, 'content-type': 'application/json' }, body: JSON.stringify({ slug }) })
  expect([200, 201]).toContain(add.status)
  await eventually(async () => {
    const list = (await (await fetch(`${stack.gatewayUrl}/api/v1/streamers`, { headers: { cookie } })).json()) as { slug: string; checked_at: string | null }[]
    return list.some((s) => s.slug === slug && s.checked_at)
  }, 20_000, 'the streamer read by the poller and shown by the gateway')
  // And on the dashboard's live feed (Bun's WebSocket handler, in the shared process).
  const ws = new WebSocket(`${stack.gatewayUrl.replace('http', 'ws')}/ws`, { headers: { cookie } } as never)
  const messages: string[] = []
  ws.onmessage = (e) => messages.push(String(e.data))
  feedClosed = new Promise((r) => (ws.onclose = (e) => r(e.code)))
  await eventually(() => messages.join('').includes(`id="row-${slug}"`), 10_000, 'the streamer’s row on the live feed')
})

test('SIGTERM stops the three and the process exits cleanly', async () => {
  const p = stack.procs.get('gateway')!
  await p.stop()
  expect(p.exits.at(-1)).toMatchObject({ code: 0, signal: null })
  // The open dashboard was told the server is restarting (its page reconnects).
  expect(await feedClosed).toBe(1012)
})
