import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from './logger.ts'

// The NATS users of deploy/nats/permissions.ts. Each connects with its own reply-inbox prefix,
// so one identity can never subscribe to another's replies (a subscriber reading `_INBOX.>`
// sees only outsiders' replies, never a session token or a revealed secret).

export const NATS_IDENTITIES = ['poller', 'auth', 'gateway', 'notifier', 'operator', 'subscriber'] as const
export type NatsIdentity = (typeof NATS_IDENTITIES)[number]

/** `_INBOX_<identity>` for our components; outsiders (`subscriber`) keep the client default `_INBOX`. */
export const inboxPrefix = (identity: NatsIdentity) => (identity === 'subscriber' ? '_INBOX' : `_INBOX_${identity}`)

export const identityOptions = (identity: NatsIdentity) => ({ inboxPrefix: inboxPrefix(identity) })

type PermissionError = Error & { operation: string; subject: string; queue?: string }

/**
 * One log line per refused subject (naming the identity and the subject), then silence: a
 * missing permission is a configuration problem, not a reason to crash or to flood the log.
 */
export function watchPermissionErrors(nc: NatsConnection, identity: string, log: Logger): void {
  const seen = new Set<string>()
  ;(async () => {
    for await (const s of nc.status()) {
      if (s.type !== 'error' || !watchPermissionErrors.isPermissionError(s.error)) continue
      const e = s.error
      const key = `${e.operation} ${e.subject}`
      if (seen.has(key)) continue
      seen.add(key)
      log.error({ identity, operation: e.operation, subject: e.subject }, `NATS refused ${e.operation === 'subscription' ? 'a subscription to' : 'a publish to'} ${e.subject} for identity ${identity} (deploy/nats/permissions.ts)`)
    }
  })().catch(() => {})
}
watchPermissionErrors.isPermissionError = (e: unknown): e is PermissionError => (e as Error | undefined)?.name === 'PermissionViolationError'
