import { AppError } from '@kickmon/shared/errors'
import { adminSubject } from '@kickmon/shared/contracts/auth-internal'
import type { Endpoint } from '@kickmon/shared/rpc'

/**
 * System actors (`{system: …}`, acting as admin with no credential) are accepted only on
 * `auth.admin.*`, a subject space nats-server opens to the operator identity alone
 * (deploy/nats/permissions.ts). On the public subjects, which the gateway may use, a system
 * actor is refused before anything is read. Each endpoint that takes an actor is therefore
 * served twice: `auth.x.y` (sessions and API keys) and `auth.admin.x.y` (also system actors).
 */
export function withAdminSubjects(defs: Endpoint<any, any>[]): Endpoint<any, any>[] {
  const out: Endpoint<any, any>[] = []
  for (const def of defs) {
    if (!takesActor(def)) {
      out.push(def)
      continue
    }
    out.push({
      ...def,
      handle: (input: { actor?: object }, rc) => {
        if (input.actor && 'system' in input.actor)
          throw new AppError('FORBIDDEN', `system actors are accepted only on ${adminSubject(def.subject)}, which only the operator's NATS identity may use`)
        return def.handle(input, rc)
      },
    })
    out.push({ ...def, subject: adminSubject(def.subject) })
  }
  return out
}

const takesActor = (def: Endpoint<any, any>) => {
  const shape = (def.input as { shape?: Record<string, unknown> }).shape
  return !!shape && 'actor' in shape
}
