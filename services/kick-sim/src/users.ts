import { intParams, kick } from './http.ts'
import type { Router } from './router.ts'
import { userItem } from './views.ts'
import type { Channel, World } from './world.ts'

// GET /public/v1/users (docs/kick-api.md#users): `id` repeated; none ⇒ the token's own user.
export function userRoutes(router: Router, world: World): void {
  router.add('GET', '/public/v1/users', 'api', ({ url, auth, base }) => {
    const raw = url.searchParams.getAll('id')
    if (raw.length === 0) {
      // An app token has no user of its own. [INF: exact reason text unknown]
      if (auth?.type !== 'user' || auth.userId === null) return kick.badRequest('id is required for app tokens')
      const own = world.byUserId(auth.userId)
      return kick.ok(own ? [userItem(base, own, true)] : [])
    }
    const ids = intParams(raw)
    if (!ids) return kick.badRequest('id must be an integer')
    const found = ids.map((id) => world.byUserId(id)).filter((c): c is Channel => c !== undefined)
    return kick.ok([...new Set(found)].map((ch) => userItem(base, ch, auth?.userId === ch.userId)))
  })
}
