import type { GatewayDeps } from '../deps.ts'
import { checkStrictOrigin } from '../identity/request-auth.ts'
import { ANY_ROLE, route } from './define.ts'

export const streamRoutes = (d: GatewayDeps) => [
  route({
    method: 'GET', path: '/api/v1/stream', tag: 'streamers', access: ANY_ROLE,
    summary: 'Live JSON events (Server-Sent Events) for the streamers you may see: `snapshot` (StreamerStatus[]) on connect and when your access changes, then `status` (StreamerStatus) and `removed` ({slug}); `end` ({reason}) before the server closes it (session ended, key revoked). A foreign or `null` Origin is refused (403).',
    ok: { status: 200, description: 'text/event-stream', contentType: 'text/event-stream' },
    handle: ({ caller, req, server }) => {
      checkStrictOrigin(req) // a GET, so checkChange did not look; EventSource sends the cookie cross-site
      server?.timeout?.(req, 0) // the stream is long-lived; heartbeats keep proxies awake
      return d.events.open(caller, req.signal)
    },
  }),
]
