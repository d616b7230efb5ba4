import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { createLogger } from '../../../shared/src/logger.ts'
import { connectNats } from '../../../shared/src/nats.ts'
import { serviceSchema } from '../../../shared/src/config.ts'
import { parseEnv } from '../../../shared/src/parse-env.ts'
import { natsServerBin } from '../../../scripts/infra/nats.ts'
import { freePort, waitForPort } from '../../../scripts/infra/ports.ts'
import { testNatsAuth } from '../../harness/nats-auth.ts'

// NATS_TLS_CA / NATS_TLS_CERT / NATS_TLS_KEY against a nats-server that requires TLS and a
// client certificate, on top of the nkey identities.

const dir = mkdtempSync(join(tmpdir(), 'kickmon-nats-tls-'))
const f = (n: string) => join(dir, n)
let proc: ReturnType<typeof Bun.spawn> | null = null
let url = ''

async function openssl(...args: string[]) {
  const p = Bun.spawn(['openssl', ...args], { cwd: dir, stdout: 'ignore', stderr: 'pipe' })
  if ((await p.exited) !== 0) throw new Error(`openssl ${args[0]}: ${await new Response(p.stderr).text()}`)
}

beforeAll(async () => {
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=kickmon test CA', '-keyout', 'ca.key', '-out', 'ca.pem')
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  for (const who of ['server', 'client']) {
    await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${who}`, '-keyout', `${who}.key`, '-out', `${who}.csr`)
    await openssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', `${who}.pem`)
  }
  const port = await freePort()
  writeFileSync(f('server.conf'), [
    `include ${JSON.stringify(relative(dir, testNatsAuth().authConf))}`,
    `listen: 127.0.0.1:${port}`,
    `tls { cert_file: "${f('server.pem')}", key_file: "${f('server.key')}", ca_file: "${f('ca.pem')}", verify: true }`,
  ].join('\n'))
  proc = Bun.spawn([natsServerBin()!, '-c', f('server.conf')], { stdout: 'ignore', stderr: 'ignore' })
  await waitForPort(port)
  url = `tls://127.0.0.1:${port}`
})

afterAll(async () => {
  proc?.kill()
  await proc?.exited
  rmSync(dir, { recursive: true, force: true })
})

test('with the CA, a client certificate and its key, a service connects over TLS as its identity', async () => {
  const c = parseEnv(serviceSchema({}), { NATS_URL: url, NATS_TLS_CA: f('ca.pem'), NATS_TLS_CERT: f('client.pem'), NATS_TLS_KEY: f('client.key'), NATS_NKEY_SEED_FILE: testNatsAuth().seeds.poller })
  const nc = await connectNats(c.NATS_URL, 'poller', createLogger('poller', 'silent'), c)
  expect(nc.info?.tls_required).toBe(true)
  const got = nc.subscribe('poller.tls.check', { max: 1, callback: (_e, m) => void m.respond('ok') })
  const operator = await connectNats(c.NATS_URL, 'operator', createLogger('cli', 'silent'), { ...c, NATS_NKEY_SEED_FILE: testNatsAuth().seeds.operator })
  expect((await operator.request('poller.tls.check', '', { timeout: 2000 })).string()).toBe('ok')
  await got.closed
  await operator.close()
  await nc.close()
})

test('without a client certificate the server refuses the connection', async () => {
  const { connect } = await import('@nats-io/transport-node')
  await expect(connect({ servers: url, tls: { caFile: f('ca.pem') }, reconnect: false, timeout: 3000 })).rejects.toThrow()
})
