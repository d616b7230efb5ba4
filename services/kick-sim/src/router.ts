// A tiny router: static paths in a Map (the hot API paths), then `:param` patterns in
// registration order. Route names are the templates, which counters report.

export type Kind = 'oauth' | 'api' | 'website' | 'control' | 'asset'

export type Ctx = {
  req: Request
  url: URL
  params: Record<string, string>
  /** Absolute base URL for links/images we hand out (configured, or the request's origin). */
  base: string
  /** Set by the pipeline for authenticated API routes. */
  auth: TokenInfo | null
  server: import('bun').Server<unknown> | undefined
}

export type TokenInfo = { token: string; clientId: string; type: 'app' | 'user'; userId: number | null; scope: string; exp: number }

export type Handler = (ctx: Ctx) => Response | Promise<Response>

export type Route = { method: string; path: string; kind: Kind; auth: boolean; handler: Handler }

type Pattern = { route: Route; segments: string[] }

export type Match = { route: Route; params: Record<string, string> } | { route: null; methodMismatch: boolean; kind: Kind | null }

export class Router {
  private readonly exact = new Map<string, Map<string, Route>>()
  private readonly patterns: Pattern[] = []

  add(method: string, path: string, kind: Kind, handler: Handler, opts: { auth?: boolean } = {}): this {
    // API routes need a token unless said otherwise (the public key is served without one).
    const route: Route = { method, path, kind, auth: opts.auth ?? kind === 'api', handler }
    if (path.includes(':') || path.includes('*')) {
      this.patterns.push({ route, segments: path.split('/').slice(1) })
    } else {
      let byMethod = this.exact.get(path)
      if (!byMethod) this.exact.set(path, (byMethod = new Map()))
      byMethod.set(method, route)
    }
    return this
  }

  match(method: string, path: string): Match {
    const m = method === 'HEAD' ? 'GET' : method
    const byMethod = this.exact.get(path)
    if (byMethod) {
      const r = byMethod.get(m)
      if (r) return { route: r, params: {} }
      const any = byMethod.values().next().value
      return { route: null, methodMismatch: true, kind: any?.kind ?? null }
    }
    const parts = path.split('/').slice(1)
    let mismatch: Route | null = null
    for (const p of this.patterns) {
      const params = matchSegments(p.segments, parts)
      if (!params) continue
      if (p.route.method === m) return { route: p.route, params }
      mismatch ??= p.route
    }
    return { route: null, methodMismatch: mismatch !== null, kind: mismatch?.kind ?? null }
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i] as string
    if (seg === '*') {
      params['*'] = parts.slice(i).join('/')
      return params
    }
    const part = parts[i]
    if (part === undefined) return null
    if (seg.startsWith(':')) {
      if (part === '') return null
      try {
        params[seg.slice(1)] = decodeURIComponent(part)
      } catch {
        return null
      }
    } else if (seg !== part) return null
  }
  return parts.length === pattern.length ? params : null
}
