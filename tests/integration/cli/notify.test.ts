import { afterAll, beforeAll, expect, test } from 'bun:test'
import { eventually } from '../../harness/services.ts'
import { discordHook, startNotifierHarness, type NotifierHarness } from '../notifier/harness.ts'
import { ENTRY, kickmon } from './run.ts'
import { natsEnv } from '../../harness/nats-auth.ts'

// `kickmon notify …` against a real notifier: channels, rules, deliveries, test; --json and exit codes.

let h: NotifierHarness
const run = (args: string[]) => kickmon(args, { env: { NATS_URL: h.nats.url, ...natsEnv('operator') }, bin: [process.execPath, ENTRY] })

beforeAll(async () => {
  h = await startNotifierHarness()
  await h.startNotifier()
}, 120_000)
afterAll(() => h?.stop())

test('add a channel and a rule, test it, see the delivery; bad input exits 5, an unknown id 3', async () => {
  const hook = await discordHook(h)
  const add = await run(['notify', 'add-channel', 'discord', 'ops', '--config', JSON.stringify({ webhook_url: hook.url }), '--json'])
  expect(add.code).toBe(0)
  const id = JSON.parse(add.stdout).channel.id as number
  expect(add.stdout).not.toContain(hook.token)

  const list = await run(['notify', 'channels'])
  expect(list.code).toBe(0)
  expect(list.stdout).toMatch(new RegExp(`${id}\\s+ops\\s+discord\\s+installation\\s+ok`))

  const rule = await run(['notify', 'add-rule', String(id), '--streamers', 'cli-a', '--events', 'online'])
  expect([rule.code, rule.stdout.trim()]).toEqual([0, expect.stringMatching(/^added rule \d+: online of cli-a → channel \d+$/)])

  const t = await run(['notify', 'test', String(id)])
  expect([t.code, t.stdout]).toEqual([0, expect.stringContaining('sent (200)')])

  await h.publish(h.online('cli-a', new Date().toISOString()))
  const d = await eventually(async () => {
    const r = await run(['notify', 'deliveries', '--channel', String(id), '--json'])
    const out = JSON.parse(r.stdout) as { deliveries: { status: string; slug: string }[] }
    return out.deliveries.find((x) => x.status === 'sent') ?? null
  }, 20_000, 'the delivery in the log')
  expect(d.slug).toBe('cli-a')

  const bad = await run(['notify', 'add-channel', 'discord', 'bad', '--config', '{"webhook_url":"https://evil.example/api/webhooks/1/x"}'])
  expect(bad.code).toBe(5)
  expect(bad.stderr).toContain('config.webhook_url')
  expect((await run(['notify', 'test', '999999'])).code).toBe(3)
  expect((await run(['notify', 'add-channel', 'discord', 'x', '--config', 'not json'])).code).toBe(2)
  expect((await run(['notify', 'remove-channel', String(id)])).code).toBe(0)
  expect((await run(['notify', 'test', String(id)])).code).toBe(3)
}, 120_000)

test('a channel whose provider refuses the test exits 4 and says why', async () => {
  const hook = await discordHook(h)
  const add = await run(['notify', 'add-channel', 'discord', 'gone', '--config', JSON.stringify({ webhook_url: hook.url }), '--json'])
  const id = JSON.parse(add.stdout).channel.id as number
  await fetch(`${h.simUrl}/_sim/discord/webhooks/${hook.id}`, { method: 'DELETE' })
  const t = await run(['notify', 'test', String(id)])
  expect(t.code).toBe(4)
  expect(t.stdout).toContain('failed (404)')
  expect((await run(['notify', 'channels'])).stdout).toContain(`channel ${id} is broken`)
}, 60_000)
