import { Elysia } from 'elysia'
import { z } from 'zod'
import { AppError } from '@kickmon/shared/errors'
import { ShareLinkId, ShareTarget } from '@kickmon/shared/contracts/public'
import { parseInput } from '@kickmon/shared/validation'
import { ANY_ROLE } from '../api/define.ts'
import type { GatewayDeps } from '../deps.ts'
import { clientOrigin } from '../public/origin.ts'
import { linkMade, sharePage, EXPIRIES } from '../views/share-links.ts'
import { actionCaller, formInput, htmlResponse, pageCaller } from './page-kit.ts'

const ShareForm = z.object({
  slugs: z.union([z.string(), z.array(z.string())], { error: 'slugs: pick at least one streamer' }).transform((v) => [v].flat()),
  title: z.string().max(200).optional(),
  expires_in: z.coerce.number().refine((n) => EXPIRIES.some(([s]) => s === n), 'expires_in: pick one of the offered durations'),
})

export const sharePages = (d: GatewayDeps) => {
  const url = (req: Request, token: string) => `${clientOrigin(req)}/s/${token}`
  return new Elysia({ name: 'share-pages' })
    .get('/share', async ({ request, server }) => {
      const p = await pageCaller(d, request, ANY_ROLE, server)
      if (p instanceof Response) return p
      const streamers = await d.access.filter(p.caller, d.statuses.all(), p.rid)
      const links = await d.pub.auth.call('shareList', { actor: p.caller.actor }, p.rid).then(
        async (r) => Promise.all(r.links.map(async (l) => ({ ...l, url: url(request, await d.pub.tokens.sign(l)) }))),
        () => null,
      )
      return htmlResponse(sharePage({ user: p.caller.user, csrf: p.caller.csrf ?? '', streamers, links }))
    })
    .post('/share', async ({ request, body, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, body, server)
      const f = formInput(ShareForm, body)
      const target = parseInput(
        ShareTarget,
        f.slugs.length === 1 ? { type: 'streamer', slug: f.slugs[0] } : { type: 'view', slugs: f.slugs, ...(f.title?.trim() ? { title: f.title } : {}) },
      )
      for (const s of f.slugs) if (!d.statuses.get(s) || !(await d.access.maySee(caller, s, rid))) throw new AppError('NOT_FOUND', `no streamer named "${s}"`)
      const link = await d.pub.auth.call('shareCreate', { actor: caller.actor, target, expires_in_s: f.expires_in }, rid)
      return htmlResponse(linkMade(url(request, await d.pub.tokens.sign(link)), link.expires_at), 201)
    })
    .delete('/share/:id', async ({ request, params, server }) => {
      const { caller, rid } = await actionCaller(d, request, ANY_ROLE, undefined, server)
      await d.pub.auth.call('shareRevoke', { actor: caller.actor, id: parseInput(z.object({ id: ShareLinkId }), params).id }, rid)
      return htmlResponse('')
    })
}
