import { headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node'
import { ServiceError, type Service } from '@nats-io/services'
import type { z } from 'zod'
import { AppError, ERROR_STATUS, toAppError, type ErrorCode } from './errors.ts'
import type { Logger } from './logger.ts'
import { parseInput } from './validation.ts'
import type { Counter } from './metrics.ts'

export type RequestContext = { requestId: string; log: Logger; headers: Msg['headers'] }

export type Endpoint<I extends z.ZodType = z.ZodType, O = unknown> = {
  subject: string
  input: I
  handle: (input: z.infer<I>, ctx: RequestContext) => Promise<O> | O
}

export function endpoint<I extends z.ZodType, O>(def: Endpoint<I, O>): Endpoint<I, O> {
  return def
}

/**
 * Register request/reply endpoints on a NATS service. Input is validated with zod;
 * an AppError becomes a NATS service error carrying its code; anything else is logged
 * and answered as INTERNAL without its text.
 */
export function addEndpoints(
  service: Service,
  defs: Endpoint<any, any>[],
  log: Logger,
  counter?: Counter<'endpoint' | 'outcome'>,
) {
  for (const def of defs) {
    service.addEndpoint(def.subject.replace(/\./g, '_'), {
      subject: def.subject,
      handler: (err, msg) => {
        if (err) return log.error({ err, subject: def.subject }, 'endpoint failed')
        const requestId = msg.headers?.get('x-request-id') || crypto.randomUUID()
        const reqLog = log.child({ reqId: requestId, endpoint: def.subject })
        void (async () => {
          try {
            let body: unknown
            try {
              body = msg.data.length ? msg.json() : {}
            } catch {
              throw new AppError('BAD_REQUEST', 'request body is not valid JSON')
            }
            // PostgreSQL (and UTF-8) cannot hold a lone UTF-16 surrogate such as "\ud800".
            if (!wellFormed(body)) throw new AppError('BAD_REQUEST', 'request contains text that is not valid Unicode')
            const input = parseInput(def.input, body)
            const out = await def.handle(input, { requestId, log: reqLog, headers: msg.headers })
            msg.respond(JSON.stringify(out ?? null))
            counter?.inc({ endpoint: def.subject, outcome: 'ok' })
          } catch (e) {
            const ae = toAppError(e)
            if (ae.status >= 500) reqLog.error({ err: e }, 'endpoint error')
            else reqLog.info({ code: ae.code, msg: ae.message }, 'endpoint rejected request')
            msg.respondError(ae.status, ae.message, JSON.stringify(ae.toJSON()))
            counter?.inc({ endpoint: def.subject, outcome: ae.status >= 500 ? 'error' : 'rejected' })
          }
        })()
      },
    })
  }
}

/** True when every string in a parsed JSON value is well-formed Unicode (iterative: input may nest deeply). */
export function wellFormed(root: unknown): boolean {
  const stack: unknown[] = [root]
  while (stack.length) {
    const v = stack.pop()
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return false
    } else if (Array.isArray(v)) for (const x of v) stack.push(x)
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (!k.isWellFormed()) return false
        stack.push(x)
      }
  }
  return true
}

/** Call an endpoint; service errors come back as the AppError the handler threw. */
export async function request<T extends z.ZodType>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  schema: T,
  opts: { timeout?: number; requestId?: string } = {},
): Promise<z.infer<T>> {
  const h = natsHeaders()
  h.set('x-request-id', opts.requestId ?? crypto.randomUUID())
  let msg: Msg
  try {
    msg = await nc.request(subject, JSON.stringify(body ?? {}), { timeout: opts.timeout ?? 5000, headers: h })
  } catch (e) {
    const service = subject.split('.')[0]
    const cause = (e as { cause?: { name?: string } }).cause?.name ?? (e as Error).name
    // nats-server refused the subject for this connection's identity (deploy/nats/permissions.ts).
    if (cause === 'PermissionViolationError') throw new AppError('FORBIDDEN', `NATS does not let this identity call ${subject}`)
    // nats-core's NoRespondersError is named "NoResponders".
    if (cause === 'NoResponders' || cause === 'NoRespondersError') throw new AppError('UNAVAILABLE', `the ${service} service is not running`)
    throw new AppError('UNAVAILABLE', `the ${service} service did not answer in time`)
  }
  if (ServiceError.isServiceError(msg)) throw decodeServiceError(msg)
  return schema.parse(msg.json())
}

function decodeServiceError(msg: Msg): AppError {
  const se = ServiceError.toServiceError(msg)!
  try {
    const body = msg.json<{ error?: { code?: string; message?: string; details?: unknown } }>()
    const code = body.error?.code
    if (code && code in ERROR_STATUS) return new AppError(code as ErrorCode, body.error?.message ?? se.message, body.error?.details)
  } catch {}
  return AppError.fromStatus(se.code, se.message)
}
