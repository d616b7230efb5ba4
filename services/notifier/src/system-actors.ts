import { AppError } from '@kickmon/shared/errors'
import { adminSubject } from '@kickmon/shared/contracts/auth-internal'
import type { Endpoint } from '@kickmon/shared/rpc'

/**
 * As auth does: a `{system}` actor (admin with no credential) is accepted only on
 * `notifier.admin.*`, which nats-server opens to the operator identity alone
 * (deploy/nats/permissions.ts). On `notifier.*`, which the gateway may use, it is refused
 * before anything is read. Every endpoint is therefore served on both subjects.
 */
export function withAdminSubjects(defs: Endpoint<any, any>[]): Endpoint<any, any>[] {
  return defs.flatMap((def) => [
    {
      ...def,
      handle: (input: { actor?: object }, rc: Parameters<typeof def.handle>[1]) => {
        if (input.actor && 'system' in input.actor)
          throw new AppError('FORBIDDEN', `system actors are accepted only on ${adminSubject(def.subject)}, which only the operator's NATS identity may use`)
        return def.handle(input, rc)
      },
    },
    { ...def, subject: adminSubject(def.subject) },
  ])
}
