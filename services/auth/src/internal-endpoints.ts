import { AuthInternalApi } from '@kickmon/shared/contracts/auth-internal'
import { endpoint, type Endpoint } from '@kickmon/shared/rpc'
import { visibleFor } from './assignments.ts'
import { getConfig } from './configstore.ts'
import type { Principal } from './actors.ts'
import type { AuthDeps } from './deps.ts'
import { listSessions } from './sessions.ts'

// The narrow endpoints our own services call instead of acting as the system (which only the
// operator may do). Each answers one question and is opened by nats-server to one identity.

const KICK_SECRET_KEY = 'KICK_CLIENT_SECRET'

export function internalEndpoints(deps: AuthDeps): Endpoint<any, any>[] {
  // Recorded in the audit log as `system:<service>` when anything is (reading is not audited).
  const poller: Principal = { kind: 'system', name: 'poller', role: 'admin', userId: null, scope: 'write', label: 'system:poller', ip: null }
  return [
    endpoint({
      subject: AuthInternalApi.kickClientSecret.subject,
      input: AuthInternalApi.kickClientSecret.input,
      handle: async () => ({ value: (await getConfig(deps, poller, KICK_SECRET_KEY, true)).value }),
    }),
    endpoint({
      // The notifier: which streamers a rule's owner may see now (an admin: all).
      subject: AuthInternalApi.accessVisible.subject,
      input: AuthInternalApi.accessVisible.input,
      handle: (i) => visibleFor(deps.sql, poller, i.user_id),
    }),
    endpoint({
      subject: AuthInternalApi.sessionsLive.subject,
      input: AuthInternalApi.sessionsLive.input,
      handle: async (i) => {
        const sessions = await listSessions(deps, i.user_id, null)
        return { session_ids: sessions.map((s) => s.session_id) }
      },
    }),
  ]
}
