import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { NatsConnection } from '@nats-io/transport-node'
import { adminSubject, AuthInternalApi } from '../../../shared/src/contracts/auth-internal.ts'
import { AppError } from '../../../shared/src/errors.ts'
import { NotifierApi } from '../../../shared/src/contracts/notifier.ts'
import { request } from '../../../shared/src/rpc.ts'
import { connectAs } from '../../harness/nats-auth.ts'
import { ADMIN_ACTOR, startNotifierHarnessRunning, type NotifierHarness } from './harness.ts'

// NATS identities around the notifier (deploy/nats/permissions.ts): only the operator acts as
// the system on notifier.admin.*; the gateway reaches the user-facing endpoints only; an
// outsider reaches none; auth.internal.access.visible is the notifier's alone.

let h: NotifierHarness
let gateway: NatsConnection
let subscriber: NatsConnection
beforeAll(async () => {
  h = await startNotifierHarnessRunning()
  gateway = await connectAs(h.nats, 'gateway')
  subscriber = await connectAs(h.nats, 'subscriber')
}, 120_000)
afterAll(async () => {
  await gateway?.close()
  await subscriber?.close()
  await h?.stop()
})

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(() => null, (err) => err)
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${e}`)
  return e
}
const list = NotifierApi.channelsList

test('the operator acts as the system on notifier.admin.*, and only there', async () => {
  expect((await request(h.nc, adminSubject(list.subject), { actor: ADMIN_ACTOR }, list.output)).channels).toBeArray()
  const e = await refusal(request(h.nc, list.subject, { actor: ADMIN_ACTOR }, list.output))
  expect([e.code, e.message]).toEqual(['FORBIDDEN', 'system actors are accepted only on notifier.admin.channels.list, which only the operator\'s NATS identity may use'])
})

test('a compromised gateway cannot act as the system, nor ask what someone may see', async () => {
  const onAdmin = await refusal(request(gateway, adminSubject(list.subject), { actor: { system: 'gateway' } }, list.output, { timeout: 2000 }))
  expect(onAdmin.code).toBe('FORBIDDEN')
  const onPublic = await refusal(request(gateway, list.subject, { actor: { system: 'gateway' } }, list.output, { timeout: 2000 }))
  expect(onPublic.code).toBe('FORBIDDEN')
  const internal = await refusal(request(gateway, AuthInternalApi.accessVisible.subject, { user_id: 1 }, AuthInternalApi.accessVisible.output, { timeout: 2000 }))
  expect(internal.code).toBe('FORBIDDEN')
  // …while a user's own session works through it.
  const u = await h.user('viewer')
  const { token } = await h.session(u)
  expect((await request(gateway, list.subject, { actor: { session: token } }, list.output)).channels).toEqual([])
})

test('an outsider (subscriber) cannot call the notifier at all', async () => {
  const e = await refusal(request(subscriber, list.subject, { actor: ADMIN_ACTOR }, list.output, { timeout: 2000 }))
  expect(e.code).toBe('FORBIDDEN')
})
