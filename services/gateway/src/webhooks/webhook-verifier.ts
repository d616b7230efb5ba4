import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { AppError } from '@kickmon/shared/errors'
import { WEBHOOK_MAX_SKEW_MS } from '@kickmon/shared/webhook-window'
import { readCapped } from '../http/read-capped.ts'

// Kick's webhook security (docs/kick-api.md#deliveries, #signatures): six Kick-Event-* headers and an RSA
// PKCS#1 v1.5 / SHA-256 signature over `messageId.timestamp.rawBody`, base64.

/** Canonical spellings; the gateway forwards them under these names to JetStream. */
export const KICK_HEADERS = [
  'Kick-Event-Message-Id',
  'Kick-Event-Subscription-Id',
  'Kick-Event-Signature',
  'Kick-Event-Message-Timestamp',
  'Kick-Event-Type',
  'Kick-Event-Version',
] as const
export type KickHeaders = Record<(typeof KICK_HEADERS)[number], string>

/** Deliveries further than this from our clock are refused (Kick documents no tolerance). */
export const MAX_SKEW_MS = WEBHOOK_MAX_SKEW_MS

/** Load the configured PEM once at start; a broken key stops the gateway with a clear message. */
export function loadWebhookKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem)
  } catch (e) {
    throw new Error(`KICK_WEBHOOK_PUBLIC_KEY is not a usable PEM public key: ${(e as Error).message}`)
  }
}

/** All six headers, or a 400 naming the first one missing. */
export function kickHeaders(h: Headers): KickHeaders {
  const out = {} as KickHeaders
  for (const name of KICK_HEADERS) {
    const v = h.get(name)
    if (!v) throw new AppError('BAD_REQUEST', `missing header ${name}`)
    out[name] = v
  }
  return out
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** True only for a valid signature by `key` over the exact bytes Kick sent. */
export function signatureValid(key: KeyObject, h: KickHeaders, rawBody: Uint8Array): boolean {
  const sig = h['Kick-Event-Signature'].trim()
  if (sig.length > 2048 || !BASE64.test(sig)) return false
  const prefix = Buffer.from(`${h['Kick-Event-Message-Id']}.${h['Kick-Event-Message-Timestamp']}.`)
  try {
    return verify('sha256', Buffer.concat([prefix, rawBody]), key, Buffer.from(sig, 'base64'))
  } catch {
    return false
  }
}

// Values that end up in a NATS subject or a JetStream message id must be plain tokens.
const EVENT_TYPE = /^[a-z0-9_]+(\.[a-z0-9_]+){0,7}$/
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,128}$/

/**
 * After the signature: the event type and message id must be safe to use as a subject and
 * a message id, and the timestamp must be within MAX_SKEW_MS of now (else 400 "stale").
 * Returns the timestamp in ms.
 */
export function checkSignedHeaders(h: KickHeaders, now = Date.now()): number {
  if (!EVENT_TYPE.test(h['Kick-Event-Type'])) throw new AppError('BAD_REQUEST', 'Kick-Event-Type is not an event name like livestream.status.updated')
  if (!MESSAGE_ID.test(h['Kick-Event-Message-Id'])) throw new AppError('BAD_REQUEST', 'Kick-Event-Message-Id must be 1–128 characters of A-Z, a-z, 0-9, "-" or "_"')
  const at = Date.parse(h['Kick-Event-Message-Timestamp'])
  if (Number.isNaN(at)) throw new AppError('BAD_REQUEST', 'Kick-Event-Message-Timestamp is not an RFC 3339 time')
  if (Math.abs(now - at) > MAX_SKEW_MS)
    throw new AppError('BAD_REQUEST', `stale delivery: Kick-Event-Message-Timestamp is ${Math.round((now - at) / 1000)} s from now (limit ±${MAX_SKEW_MS / 1000} s)`)
  return at
}

const tooLarge = (limit: number) => new AppError('PAYLOAD_TOO_LARGE', `the body is larger than ${limit / 1024} KB`)

/** Read at most `limit` bytes of a body, or throw 413 without buffering the rest. */
export async function readLimited(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN)
  if (declared > limit) throw tooLarge(limit)
  // A declared length is all the server reads, so the whole body at once is within the limit
  // (and avoids a stream reader per delivery, a large share of the ingress's CPU in a burst).
  if (Number.isInteger(declared) && declared >= 0 && !req.headers.has('transfer-encoding')) {
    const body = new Uint8Array(await req.arrayBuffer())
    if (body.length > limit) throw tooLarge(limit) // a Request built in-process may say anything
    return body
  }
  if (!req.body) return new Uint8Array()
  const body = await readCapped(req.body, limit)
  if (!body) throw tooLarge(limit)
  return body
}
