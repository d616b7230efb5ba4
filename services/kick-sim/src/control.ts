import { z } from 'zod'
import type { Counters } from './counters.ts'
import { FaultsSchema, type Faults } from './faults.ts'
import { json, simError } from './http.ts'
import type { TokenStore } from './oauth.ts'
import type { Router } from './router.ts'
import type { Subscriptions } from './subscriptions.ts'
import { rfc3339 } from './time.ts'
import type { Webhooks } from './webhooks.ts'
import { SLUG_RE, WorldError, type World } from './world.ts'

// The scenario control API (design.md §6). No auth: a test tool bound to 127.0.0.1 by
// default. Inputs are validated with zod and rejected with a precise 4xx JSON error.

const CategoryIn = z.union([
  z.strictObject({ id: z.number().int().min(0).max(2_147_483_647), name: z.string().max(100) }),
  z.string().max(100),
  z.null(),
])
const fields = {
  live: z.boolean().optional(),
  viewers: z.number().int().min(0).max(100_000_000).optional(),
  title: z.string().max(200).optional(),
  category: CategoryIn.optional(),
}
export const PatchSchema = z
  .strictObject({ ...fields, viewers_hidden: z.boolean().optional() })
  .refine((p) => Object.keys(p).length > 0, 'send at least one of live, viewers, title, category, viewers_hidden')
export const NewChannelSchema = z
  .strictObject({
    slug: z.string().regex(SLUG_RE, 'must be lowercase [a-z0-9_-], 1 to 25 characters'),
    username: z.string().min(1).max(25).optional(),
    ...fields,
  })
  .refine((c) => c.viewers === undefined || c.live === true, { message: 'viewers needs live: true', path: ['viewers'] })
export const RenameSchema = z.strictObject({
  slug: z.string().regex(SLUG_RE, 'must be lowercase [a-z0-9_-], 1 to 25 characters'),
  username: z.string().min(1).max(25).optional(),
})
const WebhookNow = z.strictObject({
  slug: z.string().min(1),
  event: z.enum(['livestream.status.updated', 'livestream.metadata.updated']),
})
const WebhookUrl = z.strictObject({ url: z.url({ protocol: /^https?$/ }).nullable() })
// Kick removes a subscription whose deliveries keep failing for more than a day; tests shorten that.
const SubscriptionPolicy = z.strictObject({ unsubscribe_after_s: z.number().int().min(0).max(30 * 86_400) })

type Parsed<T> = { ok: true; data: T } | { ok: false; res: Response }

async function parse<T>(req: Request, schema: z.ZodType<T>): Promise<Parsed<T>> {
  let body: unknown
  try {
    body = await req.json()
  } catch {
    return { ok: false, res: simError(400, 'invalid_json', 'request body must be JSON') }
  }
  const r = schema.safeParse(body)
  if (r.success) return { ok: true, data: r.data }
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  return { ok: false, res: simError(400, 'validation', issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), issues) }
}

function worldCall(fn: () => Response): Response {
  try {
    return fn()
  } catch (e) {
    if (e instanceof WorldError) return simError(e.status, e.code, e.message)
    throw e
  }
}

export type ControlDeps = { world: World; faults: Faults; counters: Counters; tokens: TokenStore; subs: Subscriptions; webhooks: Webhooks }

export function controlRoutes(router: Router, d: ControlDeps): void {
  const { world, faults, counters, tokens, subs, webhooks } = d
  const notFound = (slug: string): Response => simError(404, 'not_found', `no channel "${slug}"`)

  router.add('GET', '/_sim/health', 'control', () => json({ ok: true, channels: world.size, live: world.live().length }))

  router.add('GET', '/_sim/channels', 'control', ({ url }) => {
    const live = url.searchParams.get('live')
    const all = world.list()
    return json(live === null ? all : all.filter((c) => c.live === (live === 'true')))
  })
  router.add('GET', '/_sim/channels/:slug', 'control', ({ params }) => {
    const v = world.get(params.slug ?? '')
    return v ? json(v) : notFound(params.slug ?? '')
  })
  router.add('PATCH', '/_sim/channels/:slug', 'control', async ({ req, params }) => {
    const p = await parse(req, PatchSchema)
    if (!p.ok) return p.res
    return worldCall(() => json(world.update(params.slug ?? '', p.data)))
  })
  router.add('POST', '/_sim/channels', 'control', async ({ req }) => {
    const p = await parse(req, NewChannelSchema)
    if (!p.ok) return p.res
    return worldCall(() => json(world.add(p.data), 201))
  })
  router.add('POST', '/_sim/channels/:slug/rename', 'control', async ({ req, params }) => {
    const p = await parse(req, RenameSchema)
    if (!p.ok) return p.res
    return worldCall(() => json(world.rename(params.slug ?? '', p.data)))
  })
  router.add('DELETE', '/_sim/channels/:slug', 'control', ({ params }) =>
    world.remove(params.slug ?? '') ? new Response(null, { status: 204 }) : notFound(params.slug ?? ''))

  router.add('GET', '/_sim/faults', 'control', () => json(faults.get()))
  router.add('PUT', '/_sim/faults', 'control', async ({ req }) => {
    const p = await parse(req, FaultsSchema)
    if (!p.ok) return p.res
    faults.set(p.data)
    return json(faults.get())
  })
  router.add('PATCH', '/_sim/faults', 'control', async ({ req }) => {
    const p = await parse(req, FaultsSchema)
    if (!p.ok) return p.res
    faults.patch(p.data)
    return json(faults.get())
  })
  router.add('DELETE', '/_sim/faults', 'control', () => {
    faults.clear()
    return json(faults.get())
  })

  router.add('POST', '/_sim/webhooks', 'control', async ({ req }) => {
    const p = await parse(req, WebhookNow)
    if (!p.ok) return p.res
    const ch = world.bySlug(p.data.slug)
    if (!ch) return notFound(p.data.slug)
    return json({ event: p.data.event, slug: ch.slug, subscriptions: webhooks.fire(ch, p.data.event) })
  })
  router.add('GET', '/_sim/webhook', 'control', () => json({ url: webhooks.url ?? null }))
  router.add('PUT', '/_sim/webhook', 'control', async ({ req }) => {
    const p = await parse(req, WebhookUrl)
    if (!p.ok) return p.res
    webhooks.url = p.data.url ?? undefined
    return json({ url: webhooks.url ?? null })
  })
  router.add('GET', '/_sim/subscriptions', 'control', () =>
    json(subs.list().map((s) => ({ id: s.id, app_id: s.appId, broadcaster_user_id: s.broadcasterUserId, event: s.event, version: s.version, created_at: rfc3339(s.createdAt), failing_since: s.failingSince === null ? null : rfc3339(s.failingSince) }))))

  router.add('GET', '/_sim/subscriptions/policy', 'control', () => json({ unsubscribe_after_s: webhooks.unsubscribeAfterS }))
  router.add('PUT', '/_sim/subscriptions/policy', 'control', async ({ req }) => {
    const p = await parse(req, SubscriptionPolicy)
    if (!p.ok) return p.res
    webhooks.unsubscribeAfterS = p.data.unsubscribe_after_s
    return json({ unsubscribe_after_s: webhooks.unsubscribeAfterS })
  })
  // What Kick does once a failing subscription has failed for a day, now: it is removed.
  router.add('POST', '/_sim/subscriptions/expire', 'control', () => json({ unsubscribed: webhooks.expireFailing() }))

  router.add('GET', '/_sim/counters', 'control', () => json(counters.snapshot()))
  router.add('DELETE', '/_sim/counters', 'control', () => {
    counters.reset()
    return json(counters.snapshot())
  })
  router.add('POST', '/_sim/tokens/expire', 'control', () => json({ expired: tokens.expireAll() }))
}
