import { expect, test } from 'bun:test'
import { ShareTokens } from './share-tokens.ts'

const SECRET = 'share-link-secret-for-unit-tests-0123456789'
const link = (over: Record<string, unknown> = {}) => ({
  id: crypto.randomUUID(), user_id: 7, target: { type: 'streamer' as const, slug: 'xqc' },
  expires_at: new Date(Date.now() + 60_000).toISOString(), ...over,
})
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

test('a token names its link, creator, target and expiry, and checks out', async () => {
  const t = new ShareTokens(SECRET)
  const l = link()
  const claims = await t.verify(await t.sign(l))
  expect(claims).toEqual({ id: l.id, userId: 7, target: l.target, exp: Math.floor(Date.parse(l.expires_at) / 1000) })
})

test('refused: another key, a changed payload, alg none, expired, junk', async () => {
  const t = new ShareTokens(SECRET)
  const token = await t.sign(link())
  const [head, payload, sig] = token.split('.') as [string, string, string]
  expect(await new ShareTokens(SECRET.replace('0', '1')).verify(token)).toBeNull()
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  expect(await t.verify(`${head}.${b64({ ...claims, sub: '1' })}.${sig}`)).toBeNull()
  expect(await t.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`)).toBeNull()
  expect(await t.verify(await t.sign(link({ expires_at: new Date(Date.now() - 5_000).toISOString() })))).toBeNull()
  for (const junk of ['', 'x', 'a.b.c', 'x'.repeat(9000)]) expect(await t.verify(junk)).toBeNull()
  // A session-style token under the same key but without our audience is not a share link.
  const { SignJWT } = await import('jose')
  const other = await new SignJWT({ jti: crypto.randomUUID(), sub: '7', tgt: { type: 'streamer', slug: 'xqc' } })
    .setProtectedHeader({ alg: 'HS256' }).setIssuer('kickmon-auth').setAudience('kickmon-gateway').setExpirationTime('1m')
    .sign(new TextEncoder().encode(SECRET))
  expect(await t.verify(other)).toBeNull()
})
