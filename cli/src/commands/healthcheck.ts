import { z } from 'zod'
import { intOption } from '../args.ts'
import { command, type Group } from '../command.ts'
import { Exit } from '../exit-codes.ts'

// For container and load-balancer health checks: the images have no curl or wget, and this
// gives the same answer everywhere (compose.yaml uses it against each service's /readyz).

const healthcheck = command({
  name: 'healthcheck',
  summary: 'exit 0 when a URL answers 2xx, 4 otherwise (for container health checks)',
  usage: '<url>',
  options: { timeout: intOption('ms', 'give up after this long (default 3000)', 100, 60_000, 3000) },
  args: z.tuple([z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })]),
  examples: ['kickmon healthcheck http://127.0.0.1:8081/readyz', 'kickmon healthcheck http://127.0.0.1:8080/healthz --timeout 1000'],
  run: async (ctx, o, [url]) => {
    const t0 = performance.now()
    let status: number | null = null
    let error: string | null = null
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(o.timeout), redirect: 'manual' })
      status = r.status
      await r.body?.cancel()
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? `no answer within ${o.timeout} ms` : 'connection failed'
    }
    const ok = status !== null && status >= 200 && status < 300
    const ms = Math.round(performance.now() - t0)
    if (ctx.json) ctx.out.data({ url, ok, status, ms, error })
    else ctx.out.line(ok ? `ok: ${url} answered ${status} in ${ms} ms` : `not ok: ${url} ${error ?? `answered ${status}`}`)
    return ok ? Exit.OK : Exit.UNAVAILABLE
  },
})

export const healthcheckGroup: Group = { name: 'healthcheck', summary: healthcheck.summary, commands: [healthcheck], single: true }
