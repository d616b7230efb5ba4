import fc from 'fast-check'
import { body, pathSegment, queryString, type Body } from './inputs.ts'
import { leaks, Ledger } from './ledger.ts'
import { readSome, show, type Finding } from './findings.ts'
import type { HttpTarget } from './targets.ts'

export type HttpFuzzContext = {
  gatewayUrl: string
  targets: HttpTarget[]
  /** Values that exist (a monitored slug, a user id that is not the admin's) so some inputs go deeper. */
  real: { slug: string; userId: number }
  auth: () => Promise<{ cookie: string; csrf: string; apiKey: string }>
  relogin: () => Promise<void>
  ledger: Ledger
}

type AuthMode = 'none' | 'admin' | 'admin, no CSRF token' | 'admin, cross-site' | 'API key' | 'garbage bearer' | 'garbage cookie'

const input = (targets: HttpTarget[]) =>
  fc.record({
    target: fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom(...targets) },
      { weight: 1, arbitrary: fc.array(pathSegment, { minLength: 1, maxLength: 4 }).map((s): HttpTarget => ({ method: 'GET', path: `/${s.join('/')}` })) },
    ),
    otherMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), { freq: 8 }),
    params: fc.array(fc.oneof({ weight: 1, arbitrary: pathSegment }, { weight: 1, arbitrary: fc.constant('<real>') }), { minLength: 3, maxLength: 3 }),
    query: fc.option(queryString, { freq: 2 }),
    body,
    auth: fc.constantFrom<AuthMode>('none', 'admin', 'admin', 'admin', 'admin, no CSRF token', 'admin, cross-site', 'API key', 'garbage bearer', 'garbage cookie'),
  })
type Input = fc.Arbitrary<ReturnType<typeof input> extends fc.Arbitrary<infer T> ? T : never>

/** Generated requests to every route; returns what went wrong and how the answers spread. */
export async function httpFuzz(ctx: HttpFuzzContext, runs: number, seed: number) {
  const findings: Finding[] = []
  const byStatus: Record<string, number> = {}
  const samples = fc.sample(input(ctx.targets) as Input, { numRuns: runs, seed })
  for (const x of samples) {
    const method = x.otherMethod ?? x.target.method
    let i = 0
    const path = x.target.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const p = x.params[i++ % x.params.length]!
      if (p !== '<real>') return p
      return name === 'id' ? String(ctx.real.userId) : ctx.real.slug
    })
    const url = `${ctx.gatewayUrl}${path}${x.query ? `?${x.query}` : ''}`
    const a = await ctx.auth()
    const headers: Record<string, string> = {}
    if (x.body.contentType) headers['content-type'] = x.body.contentType
    if (x.auth.startsWith('admin')) headers.cookie = a.cookie
    if (x.auth === 'admin') headers['x-csrf-token'] = a.csrf
    if (x.auth === 'admin, cross-site') Object.assign(headers, { 'x-csrf-token': a.csrf, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })
    if (x.auth === 'API key') headers.authorization = `Bearer ${a.apiKey}`
    if (x.auth === 'garbage bearer') headers.authorization = 'Bearer \u00ff' + 'x'.repeat(5000)
    if (x.auth === 'garbage cookie') headers.cookie = 'kickmon_session=%ED%A0%80; __Host-kickmon_session=' + 'z'.repeat(3000)
    const sendBody = !['GET', 'HEAD'].includes(method) && x.body.bytes.length > 0
    const described = `${method} ${path.length > 200 ? path.slice(0, 200) + '…' : path}${x.query ? `?${x.query.slice(0, 120)}` : ''} [${x.auth}] body ${x.body.kind}: ${sendBody ? show(x.body.bytes, 200) : '(none)'}`
    const target = `${x.target.method} ${x.target.path}`

    const before = await ctx.ledger.take()
    let status: number | string
    let text = ''
    try {
      const res = await fetch(url, { method, headers, body: sendBody ? (x.body as Body).bytes as unknown as BodyInit : undefined, redirect: 'manual', signal: AbortSignal.timeout(15_000) })
      status = res.status
      text = method === 'HEAD' ? '' : await readSome(res)
    } catch (e) {
      status = (e as Error).name === 'TimeoutError' ? 'timeout' : `error: ${(e as Error).message}`
    }
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1
    if (typeof status === 'string') {
      // A client that cannot even build the request (e.g. an invalid URL) is not the server's fault.
      if (status === 'timeout' || !/invalid|malformed|URL/i.test(status)) findings.push({ kind: 'no answer', target, input: described, status, detail: 'no HTTP answer' })
      continue
    }
    if (status >= 500) findings.push({ kind: '5xx', target, input: described, status, detail: text.slice(0, 300) })
    const leak = leaks(text)
    if (leak) findings.push({ kind: 'leak', target, input: described, status, detail: leak })
    if (status >= 400) {
      const changed = Ledger.diff(before, await ctx.ledger.take())
      if (changed.length) findings.push({ kind: 'recorded', target, input: described, status, detail: changed.join('; ') })
    }
    // A request that ended the admin's session (logout is a valid input) must not starve the rest.
    if (status === 401 && x.auth.startsWith('admin')) await ctx.relogin()
  }
  return { sent: samples.length, byStatus, findings }
}
