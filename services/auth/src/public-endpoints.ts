import type { z } from 'zod'
import { PublicApi, type PublicEndpointName, type PublicOutput } from '@kickmon/shared/contracts/public'
import { endpoint, type Endpoint, type RequestContext } from '@kickmon/shared/rpc'
import { adminWriter, requireAdmin, requireUser, requireWrite, resolveActor } from './actors.ts'
import type { AuthDeps } from './deps.ts'
import { createPage, deletePage, getPage, listPages, updatePage } from './public-pages.ts'
import { createShareLink, listShareLinks, revokeShareLink, verifyShareLink } from './share-links.ts'

// Status pages and share links (shared/src/contracts/public.ts): who may call each, then the
// capability. The two `auth.public.*` reads take no actor: what they answer is public (a page
// anyone can open; whether a link someone holds still works, without saying why not).

type Handler<K extends PublicEndpointName> = (input: z.infer<(typeof PublicApi)[K]['input']>, rc: RequestContext) => Promise<PublicOutput<K>>

export function publicEndpoints(deps: AuthDeps): Endpoint<any, any>[] {
  const { sql } = deps
  const who = (a: Parameters<typeof resolveActor>[1]) => resolveActor(deps, a)

  const handlers: { [K in PublicEndpointName]: Handler<K> } = {
    pagesList: async (i) => {
      requireAdmin(await who(i.actor))
      return { pages: await listPages(sql) }
    },
    pagesGet: async (i) => {
      requireAdmin(await who(i.actor))
      return getPage(sql, i.slug)
    },
    pagesCreate: async (i) => {
      const p = await adminWriter(deps, i.actor)
      return createPage(deps, p, i.page)
    },
    pagesUpdate: async (i) => {
      const p = await adminWriter(deps, i.actor)
      return updatePage(deps, p, i.slug, i.patch)
    },
    pagesDelete: async (i) => {
      const p = await adminWriter(deps, i.actor)
      await deletePage(deps, p, i.slug)
      return { ok: true }
    },

    shareCreate: async (i) => {
      const p = await who(i.actor)
      requireUser(p, 'share links')
      requireWrite(p)
      return createShareLink(deps, p, i.target, i.expires_in_s)
    },
    shareList: async (i) => {
      const p = await who(i.actor)
      requireUser(p, 'share links')
      return { links: await listShareLinks(sql, p.userId, i.include_revoked) }
    },
    shareRevoke: async (i) => {
      const p = await who(i.actor)
      requireWrite(p)
      await revokeShareLink(deps, p, i.id)
      return { ok: true }
    },

    publicPages: async () => ({ pages: await listPages(sql) }),
    publicShare: async (i) => verifyShareLink(sql, i.id),
  }

  return (Object.keys(PublicApi) as PublicEndpointName[]).map((name) =>
    endpoint({ subject: PublicApi[name].subject, input: PublicApi[name].input, handle: handlers[name] as Handler<typeof name> }),
  )
}
