import { startStack, type Stack, type StackOptions } from '../../scripts/infra/stack.ts'
import { createTestDb, testNats, type LocalNats, type TestDb } from './infra.ts'
import { testNatsAuth } from './nats-auth.ts'

export const ADMIN = { username: 'admin', password: 'e2e-admin-password' }

/** kick-sim and the three services as real processes on a private database and nats-server. */
export async function testStack(o: Partial<StackOptions> = {}): Promise<Stack & { db: TestDb; nats: LocalNats; destroy: () => Promise<void> }> {
  const [db, nats] = await Promise.all([createTestDb(), testNats()])
  const lines: string[] = []
  const stack = await startStack({
    databaseUrl: db.url,
    natsUrl: nats.url,
    natsAuth: testNatsAuth(),
    sim: { channels: 3, activity: false },
    ...o,
    env: {
      POLL_INTERVAL_S: '1', OFFLINE_GRACE_S: '1', LOG_LEVEL: 'info',
      ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password,
      SESSION_SECRET: 'e2e-session-secret-0123456789abcdef0123', CONFIG_ENCRYPTION_KEY: 'ab'.repeat(32), NOTIFY_ENCRYPTION_KEY: 'cd'.repeat(32),
      ...o.env,
    },
    sink: (service, line) => {
      lines.push(`${service} ${line}`)
      if (lines.length > 2000) lines.shift()
      if (process.env.E2E_LOGS) console.log(service, line)
    },
  })
  return {
    ...stack, db, nats,
    destroy: async () => {
      await stack.stop()
      await nats.destroy()
      await db.drop()
    },
    // For failure messages: the last lines the services printed.
    logs: lines,
  } as never
}
