import { z } from 'zod'
import { AppError } from '@kickmon/shared/errors'
import { PageInput, PagePatch, PageSlug, StatusPage } from '@kickmon/shared/contracts/public'
import type { GatewayDeps } from '../deps.ts'
import { ADMIN, route } from './define.ts'

const SlugParam = z.object({ slug: PageSlug })

/** A page lists monitored streamers only (422 names the others), like assignments. */
function requireMonitored(d: Pick<GatewayDeps, 'statuses'>, streamers: string[] | undefined) {
  const unknown = (streamers ?? []).filter((s) => !d.statuses.get(s))
  if (unknown.length) throw new AppError('VALIDATION', `streamers: not monitored (add them first): ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', …' : ''}`)
}

export const statusPageRoutes = (d: GatewayDeps) => {
  // This gateway shows the change at once; the others hear kickmon.auth.pages.changed.
  const changed = async <T>(v: T) => (await d.pub.pages.reload(), v)
  return [
    route({
      method: 'GET', path: '/api/v1/status-pages', tag: 'public pages', access: ADMIN,
      summary: 'Every public status page (/p/<slug>).',
      ok: { status: 200, schema: z.array(StatusPage), description: 'StatusPage[]' },
      handle: async ({ caller, rid }) => (await d.pub.auth.call('pagesList', { actor: caller.actor }, rid)).pages,
    }),
    route({
      method: 'POST', path: '/api/v1/status-pages', tag: 'public pages', access: ADMIN, body: PageInput,
      summary: 'Create a public status page: anyone may open /p/<slug>, its .json and /embed without an account.', errors: [409],
      ok: { status: 201, schema: StatusPage, description: 'the page' },
      handle: async ({ caller, body, rid }) => {
        requireMonitored(d, body.streamers)
        return changed(await d.pub.auth.call('pagesCreate', { actor: caller.actor, page: body }, rid))
      },
    }),
    route({
      method: 'GET', path: '/api/v1/status-pages/:slug', tag: 'public pages', access: ADMIN, params: SlugParam,
      summary: 'One status page’s definition.', errors: [404],
      ok: { status: 200, schema: StatusPage, description: 'the page' },
      handle: ({ caller, params, rid }) => d.pub.auth.call('pagesGet', { actor: caller.actor, slug: params.slug }, rid),
    }),
    route({
      method: 'PATCH', path: '/api/v1/status-pages/:slug', tag: 'public pages', access: ADMIN, params: SlugParam, body: PagePatch,
      summary: 'Change a status page (any of its fields but the slug); open viewers get the new page at once.', errors: [404],
      ok: { status: 200, schema: StatusPage, description: 'the page' },
      handle: async ({ caller, params, body, rid }) => {
        requireMonitored(d, body.streamers)
        return changed(await d.pub.auth.call('pagesUpdate', { actor: caller.actor, slug: params.slug, patch: body }, rid))
      },
    }),
    route({
      method: 'DELETE', path: '/api/v1/status-pages/:slug', tag: 'public pages', access: ADMIN, params: SlugParam,
      summary: 'Delete a status page: its address answers 404, its open live feeds end, its streamers lose their badges unless another page lists them.', errors: [404],
      ok: { status: 204, description: 'deleted' },
      handle: async ({ caller, params, rid }) => {
        await d.pub.auth.call('pagesDelete', { actor: caller.actor, slug: params.slug }, rid)
        return changed(null)
      },
    }),
  ]
}
