import { z } from 'zod'
import { SessionId, UserId, Visible } from './auth.ts'

// Where auth accepts system actors, and the narrow endpoints our own services use instead of
// acting as one (docs/auth.md "Who may act as the system"). nats-server lets only the
// `operator` identity publish on `auth.admin.>`; `auth.internal.*` subjects are each granted
// to the one service that needs them (deploy/nats/permissions.ts).

/**
 * `auth.users.create` → `auth.admin.users.create`: the same endpoint, where `{system}` actors are
 * accepted. The notifier follows the same rule (`notifier.channels.list` → `notifier.admin.channels.list`).
 */
export const adminSubject = (subject: string) => subject.replace(/^(auth|notifier)\./, '$1.admin.')

export const AuthInternalApi = {
  /** The poller reads Kick's client secret from the configuration store (and nothing else). */
  kickClientSecret: {
    subject: 'auth.internal.kick-client-secret.get',
    input: z.strictObject({}),
    output: z.object({ value: z.string() }),
  },
  /** The notifier checks, at each event, which streamers a rule's owner may see. */
  accessVisible: {
    subject: 'auth.internal.access.visible',
    input: z.strictObject({ user_id: UserId }),
    output: Visible,
  },
  /** The gateway re-checks open connections: a user's live session ids; not counted as activity. */
  sessionsLive: {
    subject: 'auth.internal.sessions.live',
    input: z.strictObject({ user_id: UserId }),
    output: z.object({ session_ids: z.array(SessionId) }),
  },
} as const
