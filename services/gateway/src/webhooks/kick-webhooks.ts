import { Elysia } from 'elysia'
import type { JetStreamClient } from '@nats-io/jetstream'
import { headers as natsHeaders } from '@nats-io/transport-node'
import { AppError } from '@kickmon/shared/errors'
import { ensureWebhookStream } from '@kickmon/shared/nats-resources'
import { WEBHOOKS_STREAM, subjects } from '@kickmon/shared/contracts/names'
import type { GatewayDeps } from '../deps.ts'
import { requestIdOf } from '../http/request-id.ts'
import { KICK_HEADERS, checkSignedHeaders, kickHeaders, loadWebhookKey, readLimited, signatureValid } from './webhook-verifier.ts'
import { webhookStages } from './webhook-stages.ts'
import { json } from '../http/errors.ts'

/** Kick's deliveries are a few hundred bytes; anything near this is not one. */
export const MAX_WEBHOOK_BYTES = 64 * 1024
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * `POST /webhooks/kick`: Kick calling us, so no session or CSRF. The signature is checked
 * over the raw bytes before anything else is parsed; only then is the delivery handed to
 * the poller through JetStream (message id = Kick-Event-Message-Id, so a repeat is
 * dropped there for as long as its timestamp is acceptable: shared/src/webhook-window.ts),
 * and Kick gets its 200 only once JetStream has acknowledged it.
 */
export function kickWebhooks(d: GatewayDeps) {
  const key = loadWebhookKey(d.config.KICK_WEBHOOK_PUBLIC_KEY)
  const log = d.log.child({ route: '/webhooks/kick' })
  const stage = webhookStages(d.health.registry)
  let js: Promise<JetStreamClient> | null = null
  const stream = () =>
    (js ??= ensureWebhookStream(d.nc).catch((e) => {
      js = null
      throw e
    }))

  return new Elysia({ name: 'kick-webhooks' }).post(
    '/webhooks/kick',
    async ({ request }) => {
      const reqId = requestIdOf(request)
      const reject = (e: AppError, extra: object = {}) => {
        log.info({ reqId, status: e.status, reason: e.message, ...extra }, 'webhook rejected')
        return e
      }
      let h
      let body
      const t0 = performance.now()
      try {
        h = kickHeaders(request.headers)
        body = await readLimited(request, MAX_WEBHOOK_BYTES)
      } catch (e) {
        throw e instanceof AppError ? reject(e) : e
      }
      stage('read', t0)
      const t1 = performance.now()
      const messageId = h['Kick-Event-Message-Id']
      if (!signatureValid(key, h, body)) throw reject(new AppError('UNAUTHENTICATED', 'invalid Kick-Event-Signature'), { messageId: messageId.slice(0, 64) })
      try {
        checkSignedHeaders(h)
        JSON.parse(utf8.decode(body))
      } catch (e) {
        throw reject(e instanceof AppError ? e : new AppError('BAD_REQUEST', 'the body is not JSON'), { messageId })
      }

      stage('verify', t1)
      const hdrs = natsHeaders()
      for (const name of KICK_HEADERS) hdrs.set(name, h[name])
      hdrs.set('x-request-id', reqId)
      const t2 = performance.now()
      try {
        const ack = await (await stream()).publish(subjects.webhook(h['Kick-Event-Type']), body, {
          msgID: messageId, headers: hdrs, expect: { streamName: WEBHOOKS_STREAM }, timeout: 5000,
        })
        stage('jetstream_ack', t2)
        log.debug({ reqId, messageId, type: h['Kick-Event-Type'], duplicate: ack.duplicate, seq: ack.seq }, 'webhook accepted')
        return json(200, { ok: true, duplicate: ack.duplicate })
      } catch (err) {
        js = null // the stream may have gone: make sure of it again next time
        log.warn({ reqId, messageId, err: (err as Error).message }, 'webhook not handed over; Kick will retry')
        throw new AppError('UNAVAILABLE', 'the delivery could not be stored; retry later')
      }
    },
    { parse: 'none' },
  )
}
