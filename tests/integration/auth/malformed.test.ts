// Malformed requests to every endpoint (fast-check): wrong types, missing fields, huge strings,
// unicode, non-JSON bytes. Each must be answered with a clear 4xx-class service error (or, for
// a mutation that happens to stay valid, a normal answer): never a 5xx, a crash or silence.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { AuthApi, type AuthEndpointName } from '../../../shared/src/contracts/auth.ts'
import { rawCall, startAuthHarness, type AuthHarness } from './harness.ts'

let h: AuthHarness
const bases = {} as Record<AuthEndpointName, Record<string, unknown>>
const NAMES = Object.keys(AuthApi) as AuthEndpointName[]

beforeAll(async () => {
  h = await startAuthHarness()
  const sys = { system: 'fuzz' }
  const u = await h.user('user')
  const victim = await h.user('viewer')
  const s = await h.session(u)
  const key = await h.apiKey(u, 'write')
  await h.call('configSet', { actor: sys, key: 'fuzz.key', value: 'v', encrypt: true })
  const valid: Record<AuthEndpointName, Record<string, unknown>> = {
    login: { username: u.username, password: u.password, ip: '10.7.0.1', user_agent: 'fuzz' },
    verify: { token: s.token },
    logout: { actor: { session: (await h.session(u)).token } },
    sessionsList: { actor: { session: s.token } },
    sessionsRevoke: { actor: sys, session_id: (await h.session(victim)).session_id },
    usersCreate: { actor: sys, username: 'fuzzed', password: 'fuzzed-password-1', role: 'viewer', display_name: 'F' },
    usersList: { actor: sys, limit: 10, offset: 0 },
    usersGet: { actor: { api_key: key.key }, user_id: u.id },
    usersUpdate: { actor: sys, user_id: victim.id, display_name: 'Victim' },
    usersDelete: { actor: sys, user_id: victim.id },
    usersSetPassword: { actor: sys, user_id: victim.id, password: 'victim-password-2' },
    accountGet: { actor: { session: s.token } },
    accountChangePassword: { actor: { session: s.token }, current_password: 'not-the-password', new_password: 'whatever-else-3' },
    assignmentsGet: { actor: sys, user_id: u.id },
    assignmentsSet: { actor: sys, user_id: u.id, slugs: ['a', 'b'] },
    assignmentsAdd: { actor: { session: s.token }, user_id: u.id, slug: 'c' },
    assignmentsRemove: { actor: { session: s.token }, user_id: u.id, slug: 'c' },
    accessVisible: { actor: { session: s.token } },
    apikeysCreate: { actor: { session: s.token }, name: 'fuzz', scope: 'read' },
    apikeysList: { actor: { session: s.token }, include_revoked: true },
    apikeysRevoke: { actor: sys, key_id: 999_999 },
    apikeysVerify: { api_key: key.key },
    configGet: { actor: sys, key: 'fuzz.key', reveal: false },
    configList: { actor: sys, prefix: 'fuzz' },
    configSet: { actor: sys, key: 'fuzz.other', value: 'x', encrypt: false },
    configDelete: { actor: sys, key: 'fuzz.nothing' },
    auditList: { actor: sys, limit: 5, action: 'login.success' },
    auditStreamer: { actor: { session: s.token }, change: 'added', slug: 'fuzzed-streamer' },
  }
  Object.assign(bases, valid)
})
afterAll(() => h.stop())

const weird = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, 1e300, '', [], {}, '\u0000', 'null', '\ud800', '../../etc/passwd', "' or 1=1 --"),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('x'.repeat(100_000), '🔑'.repeat(5000), 'é'.repeat(70_000)),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
)

type Answer = Awaited<ReturnType<typeof rawCall>>
function expectClientError(name: string, input: unknown, a: Answer, allowOk: boolean) {
  const ok = a.status === 0 && allowOk
  const clientError = a.status >= 400 && a.status < 500 && typeof a.code === 'string' && !!a.message
  if (!ok && !clientError) throw new Error(`${name}: ${JSON.stringify(input)?.slice(0, 200)} → ${JSON.stringify(a).slice(0, 300)}`)
}

describe('malformed requests get a clear 4xx answer from every endpoint', () => {
  test('non-JSON bytes', async () => {
    for (const name of NAMES) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.constantFrom('{', '{"actor":', '[' .repeat(50_000), 'undefined', '\x00\x01\x02', '{"a":1}}')), async (bytes) => {
          const a = await rawCall(h.nc, AuthApi[name].subject, bytes)
          expectClientError(name, typeof bytes === 'string' ? bytes : `bytes(${bytes.length})`, a, false)
        }),
        { numRuns: 12 },
      )
    }
  })

  test('arbitrary JSON values', async () => {
    for (const name of NAMES) {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (v) => {
          expectClientError(name, v, await rawCall(h.nc, AuthApi[name].subject, JSON.stringify(v)), false)
        }),
        { numRuns: 15 },
      )
    }
  })

  test('valid requests with one field replaced or removed', async () => {
    for (const name of NAMES) {
      const base = bases[name]
      const keys = Object.keys(base)
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...keys), fc.option(weird, { freq: 6 }), fc.boolean(), async (key, value, nested) => {
          let body: Record<string, unknown>
          if (value === null) {
            body = { ...base }
            delete body[key]
          } else if (nested && key === 'actor' && typeof base.actor === 'object') {
            const actor = base.actor as Record<string, unknown>
            body = { ...base, actor: { ...actor, [Object.keys(actor)[0]!]: value } }
          } else body = { ...base, [key]: value }
          expectClientError(name, body, await rawCall(h.nc, AuthApi[name].subject, JSON.stringify(body)), true)
        }),
        { numRuns: name === 'login' ? 15 : 30 },
      )
    }
  })

  test('a username that is only whitespace is refused as empty, not an internal error', async () => {
    for (const username of ['\t', '   ', '\n \r']) {
      const a = await rawCall(h.nc, AuthApi.login.subject, JSON.stringify({ ...bases.login, username }))
      expect([a.status, a.code, a.message]).toEqual([422, 'VALIDATION', 'username: username must not be empty'])
    }
  })

  test('validation errors name the field', async () => {
    const a = await rawCall(h.nc, AuthApi.usersCreate.subject, JSON.stringify({ actor: { system: 'x' }, username: 'ok', password: 5, role: 'admin' }))
    expect(a).toMatchObject({ status: 422, code: 'VALIDATION' })
    expect(a.message).toStartWith('password: ')
    const b = await rawCall(h.nc, AuthApi.usersGet.subject, JSON.stringify({ user_id: 1 }))
    expect(b).toMatchObject({ status: 422, code: 'VALIDATION', message: 'actor: must be one of {session: <token>}, {api_key: <key>} or {system: <name>}' })
    const c = await rawCall(h.nc, AuthApi.usersGet.subject, '{not json')
    expect(c).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: 'request body is not valid JSON' })
  })
})

test('$SRV.PING answers for the service named auth, and it is still healthy after the fuzzing', async () => {
  const ping = (await h.nc.request('$SRV.PING.auth', '', { timeout: 2000 })).json<{ name: string; type: string }>()
  expect(ping.name).toBe('auth')
  expect(ping.type).toBe('io.nats.micro.v1.ping_response')
  const stats = (await h.nc.request('$SRV.STATS.auth', '', { timeout: 2000 })).json<{ endpoints: { num_errors: number }[] }>()
  expect(stats.endpoints.reduce((n, e) => n + e.num_errors, 0)).toBe(0)
  expect((await h.call('usersList', { actor: { system: 'fuzz' } })).total).toBeGreaterThan(0)
})
