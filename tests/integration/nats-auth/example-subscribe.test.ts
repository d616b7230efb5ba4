import { afterAll, beforeAll, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { connectAs, natsEnv, testNatsAuth } from '../../harness/nats-auth.ts'
import { eventually } from '../../harness/services.ts'
import { testStack } from '../../harness/stack.ts'

// examples/subscribe.ts (docs/nats.md "Subscribe from your own code") against the demo stack:
// kick-sim and the three services as processes, nats-server with the shipped permissions, and
// the example with nothing but the read-only `subscriber` key.

const EXAMPLE = join(import.meta.dir, '../../../examples/subscribe.ts')
let stack: Awaited<ReturnType<typeof testStack>>
let slug: string
const running: Subprocess[] = []

const patch = (body: object) =>
  fetch(`${stack.simUrl}/_sim/channels/${slug}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** Starts the example and collects its output lines. */
function example(args: string[]) {
  const lines: string[] = []
  const proc = Bun.spawn(['bun', EXAMPLE, ...args], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', NATS_URL: stack.nats.url, ...natsEnv('subscriber') },
    stdout: 'pipe', stderr: 'pipe',
  })
  running.push(proc)
  void (async () => {
    const dec = new TextDecoder()
    let partial = ''
    const reader = proc.stdout.getReader()
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      const parts = (partial + dec.decode(r.value, { stream: true })).split('\n')
      partial = parts.pop()!
      lines.push(...parts)
    }
  })()
  return { proc, lines, has: (re: RegExp) => lines.some((l) => re.test(l)) }
}

beforeAll(async () => {
  stack = await testStack()
  slug = ((await (await fetch(`${stack.simUrl}/_sim/channels`)).json()) as { slug: string }[])[0]!.slug
  await patch({ live: false })
  const nc = await connectAs(stack.nats, 'operator')
  const r = await nc.request('poller.streamers.add', JSON.stringify({ slug }), { timeout: 15_000 })
  expect(r.headers?.get('Nats-Service-Error')).toBeUndefined()
  await nc.drain()
}, 120_000)

afterAll(async () => {
  for (const p of running) p.kill('SIGKILL')
  await stack?.destroy()
})

test('prints status changes, replays events since a time, and resumes after a restart without repeats', async () => {
  const since = new Date(Date.now() - 1000).toISOString()
  const first = example(['--since', since, '--durable', 'example-test'])
  await eventually(() => first.has(/^caught up; following live$/), 20_000, 'the example to catch up')

  await patch({ live: true, viewers: 77, title: 'hello subscribers' })
  await eventually(() => first.has(new RegExp(`^status ${slug} live \\d+ viewers "hello subscribers"$`)), 20_000, 'the live status line')
  await eventually(() => first.has(new RegExp(`^event \\S+ ${slug} online$`)), 20_000, 'the online event line')
  first.proc.kill('SIGTERM')
  expect(await first.proc.exited).toBe(0)

  // While it is stopped the stream ends; the durable consumer keeps its place.
  await patch({ live: false })
  await eventually(async () => {
    const rows = await stack.db.sql`select 1 from status_events e join streamers s on s.id = e.streamer_id where s.slug = ${slug} and e.type = 'offline'`
    return rows.length === 1
  }, 20_000, 'the offline event recorded')

  const second = example(['--since', since, '--durable', 'example-test'])
  await eventually(() => second.has(new RegExp(`^event \\S+ ${slug} offline$`)), 20_000, 'the missed offline event after the restart')
  expect(second.lines[0]).toBe('resuming consumer example-test (--since applies only when it is first created)')
  expect(second.lines.filter((l) => l.startsWith('event '))).toEqual([expect.stringMatching(new RegExp(`^event \\S+ ${slug} offline$`))]) // no repeat of online
  second.proc.kill('SIGTERM')
  await second.proc.exited
  if (process.env.EXAMPLE_LOG) console.log([...first.lines, '--- restart', ...second.lines].join('\n'))

  // No service logged a key, a seed or a password.
  const secrets = [...Object.values(testNatsAuth().seeds).map((f) => readFileSync(f, 'utf8').trim()), testNatsAuth().routePassword, 'e2e-admin-password']
  const logs = (stack as unknown as { logs: string[] }).logs
  expect(logs.length).toBeGreaterThan(10)
  expect(logs.filter((l) => secrets.some((s) => l.includes(s)) || /\bSU[A-Z2-7]{56}\b|eyJ[\w-]+\.[\w-]+\./.test(l))).toEqual([])
}, 120_000)

test('with a bad key file the example says which and stops', async () => {
  const proc = Bun.spawn(['bun', EXAMPLE], { env: { PATH: process.env.PATH!, NATS_URL: stack.nats.url, NATS_NKEY_SEED_FILE: '/nonexistent/subscriber.nk' }, stdout: 'pipe', stderr: 'pipe' })
  expect(await proc.exited).toBe(2)
  expect((await new Response(proc.stderr).text()).trim()).toStartWith('NATS_NKEY_SEED_FILE: cannot read /nonexistent/subscriber.nk')
})
