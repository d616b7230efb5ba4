import { z } from 'zod'
import { VERSION } from '@kickmon/shared/service'
import type { ApiRoute } from './define.ts'

// /api/v1/openapi.json, generated from the same route list and zod schemas that validate
// the requests, so the document cannot drift from the code.

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
const STANDARD_ERRORS: Record<number, string> = {
  400: 'malformed request (for example a body that is not JSON)',
  401: 'not logged in, or the session or key is no longer valid',
  403: 'your role, key scope or CSRF token does not allow this',
  404: 'no such object, or one you may not see',
  409: 'conflicts with the current state',
  422: 'a field is invalid; the message names it',
  429: 'too many attempts; see Retry-After',
  503: 'a service behind the gateway is not answering',
}

const schema = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>

function parameters(s: z.ZodType | undefined, where: 'path' | 'query') {
  if (!s) return []
  const js = schema(s, 'input') as { properties?: Record<string, object>; required?: string[] }
  return Object.entries(js.properties ?? {}).map(([name, sch]) => ({
    name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: sch,
  }))
}

export function openApiDocument(routes: ApiRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}')
    const responses: Record<string, unknown> = {
      [r.ok.status]: {
        description: r.ok.description,
        ...(r.ok.schema ? { content: { [r.ok.contentType ?? 'application/json']: { schema: schema(r.ok.schema, 'output') } } } : {}),
      },
    }
    const errs = new Set([...(r.access === 'public' ? [] : [401, 403]), ...(r.params || r.query || r.body ? [422] : []), ...(r.body ? [400] : []), ...(r.errors ?? [])])
    for (const s of [...errs].sort()) responses[s] = { description: STANDARD_ERRORS[s] ?? 'error', content: { 'application/json': { schema: schema(ErrorBody, 'output') } } }
    ;(paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.access === 'public' ? { security: [] } : { 'x-roles': r.access }),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body, 'input') } } } } : {}),
      responses,
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'kickmon gateway API', version: VERSION,
      description: 'Authenticate with the session cookie (state-changing requests then need X-CSRF-Token) or `Authorization: Bearer kmk_…` (an API key; read keys change nothing). Errors are `{error: {code, message}}`. See docs/api.md.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: '__Host-kickmon_session' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'kmk_… API key' },
      },
    },
    security: [{ session: [] }, { apiKey: [] }],
    paths,
  }
}
