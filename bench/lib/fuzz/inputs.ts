import fc from 'fast-check'

// fast-check arbitraries for hostile input: what a careless client, a confused proxy or an
// attacker might send. Strings include NUL, lone UTF-16 surrogates, right-to-left marks,
// emoji, very long runs, SQL/HTML/template metacharacters and path tricks.

const nasties = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud800y', '\u202e', '\ufeff', '😀', '𝕏'.repeat(30), 'é', 'e\u0301',
  "'", '"', '\\', '`', "' or 1=1 --", '"; drop table users; --', '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '%00', '%',
  '../../etc/passwd', '..', '.', '/', '//', '?', '#', '&', '=', ';', ',', '\r\n', '\n', '\t', 'null', 'undefined', 'true', 'NaN',
  '-1', '0', '1e309', '9007199254740993', '2147483648', '-2147483649', '0x10', '1.5', ' 1', 'admin', 'ADMIN', 'a'.repeat(26),
  'x'.repeat(5000), '__proto__', 'constructor', 'prototype', 'toString',
]

export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...nasties) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) }, // any code point, surrogates included
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9_-]{1,25}$/) }, // slug-shaped
  { weight: 1, arbitrary: fc.constantFrom(...nasties).chain((a) => fc.constantFrom(...nasties).map((b) => a + b)) },
)

const number = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1e308, -0, 0.5),
  fc.double({ noNaN: true }),
)

/** Keys real endpoints use, so objects sometimes look almost right. */
const knownKeys = [
  'slug', 'slugs', 'username', 'password', 'current_password', 'role', 'display_name', 'disabled', 'token', 'session', 'api_key',
  'actor', 'user_id', 'id', 'key_id', 'session_id', 'limit', 'before', 'from', 'to', 'step_s', 'type', 'name', 'scope', 'key', 'value',
  'reveal', 'ip', 'user_agent', 'live', 'viewers', 'title', 'category', 'events', 'broadcaster', 'is_live', 'started_at', 'ended_at',
  'metadata', 'include_revoked', 'offset', '__proto__', 'constructor',
]

const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), number, nastyString,
    fc.array(tie('json'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...knownKeys), nastyString), tie('json'), { maxKeys: 6 }),
  ),
}))
export const jsonValue = json

/** Objects with real field names and wrong (or occasionally right) values. */
export const nearValidObject = fc.dictionary(fc.constantFrom(...knownKeys), jsonValue, { minKeys: 1, maxKeys: 5 })

export type Body = { kind: string; bytes: Uint8Array; contentType: string | null }
const enc = new TextEncoder()
const bytesOf = (s: string) => enc.encode(s)

/** Request bodies: none, malformed JSON, huge, deeply nested, invalid UTF-8, forms, near-valid objects. */
export const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant<Body>({ kind: 'none', bytes: new Uint8Array(), contentType: null }),
  jsonValue.map((v): Body => ({ kind: 'json', bytes: bytesOf(JSON.stringify(v) ?? 'null'), contentType: 'application/json' })),
  nearValidObject.map((v): Body => ({ kind: 'near-valid json', bytes: bytesOf(JSON.stringify(v)), contentType: 'application/json' })),
  fc.constantFrom('{', '{"a":', '[1,2', '{"slug":"x",}', "{'slug':'x'}", 'nul', '\u0000', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '1e999999', '--', '<xml/>')
    .map((s): Body => ({ kind: 'bad json', bytes: bytesOf(s), contentType: 'application/json' })),
  fc.constantFrom(1, 2).map((mb): Body => ({ kind: `huge ${mb} MB`, bytes: bytesOf(`{"slug":"${'a'.repeat(mb * 1024 * 1024)}"}`), contentType: 'application/json' })),
  fc.integer({ min: 1000, max: 100_000 }).map((n): Body => ({ kind: `nested ${n}`, bytes: bytesOf('['.repeat(n) + ']'.repeat(n)), contentType: 'application/json' })),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b): Body => ({ kind: 'random bytes', bytes: b, contentType: 'application/json' })),
  fc.constant<Body>({ kind: 'invalid utf-8', bytes: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0xff, 0x22, 0x7d]), contentType: 'application/json' }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 4 }).map((o): Body => {
    const f = new URLSearchParams()
    for (const [k, v] of Object.entries(o)) f.append(k, v)
    return { kind: 'form', bytes: bytesOf(f.toString()), contentType: 'application/x-www-form-urlencoded' }
  }),
  jsonValue.map((v): Body => ({ kind: 'json, wrong content-type', bytes: bytesOf(JSON.stringify(v) ?? ''), contentType: 'text/plain' })),
)

/** A URL path segment as it would appear on the wire (lone surrogates go raw-percent-encoded). */
export const pathSegment = fc.oneof(
  nastyString.map((s) => {
    try {
      return encodeURIComponent(s)
    } catch {
      return '%ED%A0%80' // a lone surrogate has no UTF-8: send the bytes a confused client would
    }
  }),
  fc.constantFrom('%00', '%ff', '%', '%2e%2e', '..', '%2F', 'a%00b', '-1', '0', '99999999999999999999', '1e3', '1', '2'),
)

export const queryString = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...knownKeys), nastyString), nastyString), { maxLength: 4 }).map((pairs) =>
  pairs
    .map(([k, v]) => {
      try {
        return `${encodeURIComponent(k)}=${encodeURIComponent(v)}`
      } catch {
        return 'x=%ED%A0%80'
      }
    })
    .join('&'),
)
