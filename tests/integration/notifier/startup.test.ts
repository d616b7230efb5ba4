import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { ensureNatsResources } from '../../../shared/src/nats-resources.ts'
import { createTestDb, testNats } from '../../harness/infra.ts'
import { connectAs, natsEnv } from '../../harness/nats-auth.ts'
import { eventually } from '../../harness/services.ts'

// A notifier started before any poller (nothing has created KICK_EVENTS yet) waits for the
// stream, saying so, instead of exiting; it starts once the poller has made it.

const ROOT = join(import.meta.dir, '..', '..', '..')
const cleanups: (() => Promise<void> | void)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

test('waits for KICK_EVENTS instead of exiting', async () => {
  const [db, nats] = await Promise.all([createTestDb(), testNats()])
  cleanups.push(() => db.drop(), () => nats.destroy())
  const p = Bun.spawn(['bun', join(ROOT, 'services/notifier/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url, NATS_URL: nats.url, NOTIFIER_PORT: '0', NOTIFY_ENCRYPTION_KEY: 'cd'.repeat(32), LOG_LEVEL: 'info', ...natsEnv('notifier') },
    stdout: 'pipe', stderr: 'pipe',
  })
  cleanups.push(async () => {
    p.kill()
    await p.exited
  })
  let out = ''
  void (async () => {
    const reader = p.stdout.getReader()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      out += new TextDecoder().decode(value)
    }
  })()
  await eventually(() => out.includes('waiting for the KICK_EVENTS stream'), 30_000, 'the waiting line')
  await Bun.sleep(1500)
  expect(p.exitCode).toBeNull()
  const nc = await connectAs(nats, 'operator')
  cleanups.push(() => nc.close())
  await ensureNatsResources(nc)
  await eventually(() => out.includes('notifier started'), 30_000, 'the notifier to start')
  expect(p.exitCode).toBeNull()
}, 90_000)
