import { z } from 'zod'
import { AppError } from '@kickmon/shared/errors'
import { MAX_SHARE_S, ShareLink, ShareLinkId, ShareTarget, targetSlugs } from '@kickmon/shared/contracts/public'
import type { GatewayDeps } from '../deps.ts'
import { clientOrigin } from '../public/origin.ts'
import type { Caller } from '../identity/request-auth.ts'
import { ANY_ROLE, route } from './define.ts'

const Created = z.object({ id: z.string(), url: z.string(), expires_at: z.string() })
const Listed = ShareLink.extend({ url: z.string() })

/** Where the link points: this gateway's own origin (the one the creator called). */
const linkUrl = (req: Request, token: string) => `${clientOrigin(req)}/s/${token}`

export const shareLinkRoutes = (d: GatewayDeps) => {
  /** The caller must see every streamer, as on the dashboard (404 alike for hidden and unknown). */
  const requireVisible = async (caller: Caller, slugs: string[], rid: string) => {
    for (const s of slugs) if (!d.statuses.get(s) || !(await d.access.maySee(caller, s, rid))) throw new AppError('NOT_FOUND', `no streamer named "${s}"`)
  }
  return [
    route({
      method: 'GET', path: '/api/v1/share-links', tag: 'share links', access: ANY_ROLE,
      query: z.object({ include_revoked: z.stringbool().default(false) }),
      summary: 'Your share links (active ones, or also revoked and expired ones), each with its URL.',
      ok: { status: 200, schema: z.array(Listed), description: 'ShareLink[] with url' },
      handle: async ({ caller, query, req, rid }) => {
        const { links } = await d.pub.auth.call('shareList', { actor: caller.actor, include_revoked: query.include_revoked }, rid)
        return Promise.all(links.map(async (l) => ({ ...l, url: linkUrl(req, await d.pub.tokens.sign(l)) })))
      },
    }),
    route({
      method: 'POST', path: '/api/v1/share-links', tag: 'share links', access: ANY_ROLE,
      body: z.object({
        target: ShareTarget,
        expires_in: z.number({ error: 'expires_in must be a number of seconds' }).int('expires_in must be whole seconds').min(60, 'at least 60 seconds').max(MAX_SHARE_S, 'at most 30 days (2,592,000 seconds)'),
      }),
      summary: 'A read-only link to a streamer or a view of several, for people without an account; it works until it expires (≤ 30 days) or is revoked, and stops when you may no longer see its streamers.',
      errors: [404],
      ok: { status: 201, schema: Created, description: '{id, url, expires_at}' },
      handle: async ({ caller, body, req, rid }) => {
        await requireVisible(caller, targetSlugs(body.target), rid)
        const link = await d.pub.auth.call('shareCreate', { actor: caller.actor, target: body.target, expires_in_s: body.expires_in }, rid)
        return { id: link.id, url: linkUrl(req, await d.pub.tokens.sign(link)), expires_at: link.expires_at }
      },
    }),
    route({
      method: 'DELETE', path: '/api/v1/share-links/:id', tag: 'share links', access: ANY_ROLE, params: z.object({ id: ShareLinkId }),
      summary: 'Revoke one of your share links (admins: anyone’s). Its open pages stop at once.', errors: [404],
      ok: { status: 204, description: 'revoked' },
      handle: async ({ caller, params, rid }) => {
        await d.pub.auth.call('shareRevoke', { actor: caller.actor, id: params.id }, rid)
        return null
      },
    }),
  ]
}
