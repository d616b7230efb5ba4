import { createInbox, type NatsConnection } from '@nats-io/transport-node'
import { discovery } from '../../../shared/src/contracts/names.ts'
import { inboxPrefix } from '../../../shared/src/nats-identity.ts'

export type HttpTarget = { method: string; path: string }

/**
 * The gateway's pages and form routes are not in its OpenAPI document; these are the ones
 * docs/design.md#http names plus the gateway's form, media, CSV and health routes. A route added
 * later and missing here is still reached by the random-path inputs, just less often.
 */
export const PAGE_ROUTES: HttpTarget[] = [
  ...['/', '/login', '/streamers', '/streamers/{slug}', '/streamers/{slug}/sessions', '/streamers/{slug}/sessions.csv', '/streamers/{slug}/timeline',
    '/streamers/{slug}/viewers.csv', '/admin/users', '/admin/streamers', '/account', '/system', '/system/report', '/media/{kind}/{slug}',
    '/assets/{file}', '/healthz', '/readyz', '/metrics', '/ws',
    '/p/{slug}', '/p/{slug}/embed', '/p/{slug}/live', '/badge/{file}', '/s/{token}', '/s/{token}/live', '/admin/pages', '/share'].map((path) => ({ method: 'GET', path })),
  ...['/login', '/logout', '/account/password', '/account/api-keys', '/account/api-keys/{id}', '/account/sessions/{id}', '/admin/streamers',
    '/admin/streamers/{slug}', '/admin/streamers/{slug}/purge', '/admin/streamers/import', '/admin/users', '/admin/users/{id}', '/admin/users/{id}/password',
    '/admin/users/{id}/streamers', '/admin/users/bulk-assign', '/webhooks/kick', '/admin/pages', '/share'].map((path) => ({ method: 'POST', path })),
]

/** What the poller and auth serve on their own ports (POLLER_PORT, AUTH_PORT). */
export const HEALTH_ROUTES: HttpTarget[] = ['/healthz', '/readyz', '/metrics'].map((path) => ({ method: 'GET', path }))

/** Every operation in the gateway's OpenAPI document, plus the page routes. */
export async function httpTargets(gatewayUrl: string, cookie: string): Promise<{ targets: HttpTarget[]; fromOpenApi: number }> {
  const res = await fetch(`${gatewayUrl}/api/v1/openapi.json`, { headers: { cookie } })
  const doc = res.ok ? ((await res.json()) as { paths?: Record<string, Record<string, unknown>> }) : { paths: {} }
  const api: HttpTarget[] = []
  for (const [path, ops] of Object.entries(doc.paths ?? {})) for (const m of Object.keys(ops)) if (/^(get|post|put|patch|delete)$/.test(m)) api.push({ method: m.toUpperCase(), path })
  return { targets: [...api, ...PAGE_ROUTES], fromOpenApi: api.length }
}

export type NatsTarget = { service: string; name: string; subject: string }

/** Every request/reply endpoint the services registered, from `$SRV.INFO` (the services framework's discovery). */
export async function natsTargets(nc: NatsConnection, expect = ['auth', 'gateway', 'poller']): Promise<NatsTarget[]> {
  const out = new Map<string, NatsTarget>()
  const seen = new Set<string>()
  for (let round = 0; round < 10 && expect.some((s) => !seen.has(s)); round++) {
    const inbox = createInbox(inboxPrefix('operator'))
    const sub = nc.subscribe(inbox)
    const timer = setTimeout(() => sub.unsubscribe(), 1000) // every instance answers within this
    nc.publish(discovery.info, '', { reply: inbox })
    for await (const m of sub) {
      const info = m.json() as { name: string; endpoints?: { name: string; subject: string }[] }
      seen.add(info.name)
      for (const e of info.endpoints ?? []) out.set(e.subject, { service: info.name, name: e.name, subject: e.subject })
    }
    clearTimeout(timer)
  }
  return [...out.values()].sort((a, b) => a.subject.localeCompare(b.subject))
}
