import type { GatewayDeps } from '../deps.ts'
import { ANY_ROLE, route } from './define.ts'

export const streamRoutes = (d: GatewayDeps) => [
  route({
    method: 'GET', path: '/api/v1/stream', tag: 'streamers', access: ANY_ROLE,
    summary: 'Live JSON events (Server-Sent Events) for the streamers you may see: `snapshot` (StreamerStatus[]) on connect and when your access changes, then `status` (StreamerStatus) and `removed` ({slug}); `end` ({reason}) before the server closes it (session ended, key revoked).',
    ok: { status: 200, description: 'text/event-stream', contentType: 'text/event-stream' },
    handle: ({ caller, req, server }) => {
      server?.timeout?.(req, 0) // the stream is long-lived; heartbeats keep proxies awake
      return d.events.open(caller, req.signal)
    },
  }),
]
