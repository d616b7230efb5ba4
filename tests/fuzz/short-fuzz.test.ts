import { expect, test } from 'bun:test'
import { runFuzz } from '../../bench/lib/fuzz/run-fuzz.ts'

// The fuzzer, short: a few hundred generated requests to every gateway route, the Kick webhook
// ingress and every NATS endpoint of the running system. `bun run fuzz` is the long one.
test('hostile input to every route, endpoint and the webhook ingress: no 5xx, no leak, nothing recorded, no crash', async () => {
  const r = await runFuzz({ http: 300, webhook: 80, nats: 150, seed: 20261125, log: () => {} })
  for (const f of r.findings) console.error(`${f.kind} ${f.status ?? ''} ${f.target}: ${f.input}\n    ${f.detail}`)
  // Every surface was really reached: the OpenAPI routes, all three services' endpoints, the ingress.
  expect(r.http.fromOpenApi).toBeGreaterThan(10)
  for (const svc of [r.health.poller, r.health.auth]) expect(Object.keys(svc.byStatus)).toEqual(expect.arrayContaining(['200', '404']))
  expect(r.nats.services).toEqual(expect.arrayContaining(['auth', 'poller', 'notifier']))
  expect(r.nats.endpoints.length).toBeGreaterThan(20)
  expect(Object.keys(r.webhook.byStatus).sort()).toEqual(expect.arrayContaining(['200', '400', '401']))
  expect(r.findings).toEqual([])
}, 180_000)
