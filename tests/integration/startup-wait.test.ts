import { afterAll, expect, test } from 'bun:test'
import { startLocalPostgres, type LocalPostgres } from '../../scripts/infra/postgres.ts'
import { natsEnv, testNatsAuth } from '../harness/nats-auth.ts'
import { startLocalNats, type LocalNats } from '../../scripts/infra/nats.ts'
import { freePort } from '../../scripts/infra/ports.ts'
import { SupervisedProcess, waitForHttp } from '../../scripts/infra/processes.ts'
import { prepareDatabase } from '../../scripts/infra/database.ts'
import { eventually } from '../harness/services.ts'

// PostgreSQL and NATS not up yet when a service starts: it waits (and says so), it does not
// crash-loop, and it becomes ready by itself once they are there.
let pg: LocalPostgres | null = null
let nats: LocalNats | null = null
let proc: SupervisedProcess | null = null

afterAll(async () => {
  await proc?.stop()
  await nats?.destroy()
  await pg?.destroy()
})

test('a service started before PostgreSQL and NATS waits for them, then becomes ready', async () => {
  const [pgPort, natsPort, httpPort] = [await freePort(), await freePort(), await freePort()]
  const lines: string[] = []
  proc = new SupervisedProcess('auth', {
    ...process.env, LOG_LEVEL: 'info', AUTH_PORT: String(httpPort),
    DATABASE_URL: `postgres://postgres:s3cret-db-pw@127.0.0.1:${pgPort}/kickmon`, NATS_URL: `nats://127.0.0.1:${natsPort}`,
    ADMIN_PASSWORD: 'startup-wait-password', CONFIG_ENCRYPTION_KEY: 'ef'.repeat(32), ...natsEnv('auth'),
  }, (_s, line) => lines.push(line), false)
  proc.start()

  await eventually(() => lines.some((l) => l.includes('waiting for PostgreSQL')), 15_000, 'a "waiting for PostgreSQL" log line')
  const readyz = await fetch(`http://127.0.0.1:${httpPort}/readyz`)
  expect(readyz.status).toBe(503) // alive, honest about not being ready

  pg = await startLocalPostgres({ port: pgPort, fast: true })
  await prepareDatabase(pg.url('kickmon'))
  await eventually(() => lines.some((l) => l.includes('connecting to NATS')), 20_000, 'moving on to NATS')
  await Bun.sleep(1500)
  expect(proc.exits).toEqual([]) // still the same process: no crash loop

  nats = await startLocalNats({ port: natsPort, authConf: testNatsAuth().authConf })
  await waitForHttp(`http://127.0.0.1:${httpPort}/readyz`, 30_000, 'auth')
  expect(proc.exits).toEqual([])
  const post = await fetch(`http://127.0.0.1:${httpPort}/readyz`, { method: 'POST' })
  expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
  expect((await fetch(`http://127.0.0.1:${httpPort}/nothing-here`)).status).toBe(404)
  expect(lines.some((l) => l.includes('s3cret-db-pw') || l.includes('startup-wait-password'))).toBe(false) // no secret in any log line
}, 90_000)
