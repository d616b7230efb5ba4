import fc from 'fast-check'
import { createSign, type KeyObject } from 'node:crypto'
import { body, jsonValue, nastyString } from './inputs.ts'
import { leaks, Ledger } from './ledger.ts'
import { readSome, show, type Finding } from './findings.ts'
import { WEBHOOKS_STREAM } from '../../../shared/src/contracts/names.ts'

// POST /webhooks/kick with everything a forger, a broken proxy or a replaying attacker could
// send. Signatures are made with the key the gateway trusts (so bodies get past the check
// and reach the parsers), with another key, or not at all.

const enc = new TextEncoder()

/** A delivery shaped like Kick's, for a broadcaster nobody monitors (so a valid one changes nothing). */
const kickLike = fc.record({
  broadcaster: fc.oneof(
    fc.record({ user_id: fc.integer({ min: 900_000_000, max: 999_999_999 }), username: nastyString, channel_slug: nastyString, is_verified: fc.boolean(), profile_picture: nastyString }),
    jsonValue,
  ),
  is_live: fc.oneof(fc.boolean(), jsonValue),
  title: fc.oneof(nastyString, jsonValue),
  started_at: fc.oneof(fc.constant(new Date().toISOString()), nastyString),
  ended_at: fc.oneof(fc.constant(null), nastyString),
})

const delivery = fc.record({
  body: fc.oneof(
    { weight: 2, arbitrary: kickLike.map((o) => ({ kind: 'Kick-shaped', bytes: enc.encode(JSON.stringify(o)) })) },
    { weight: 3, arbitrary: body.map((b) => ({ kind: b.kind, bytes: b.bytes })) },
  ),
  signature: fc.constantFrom('valid', 'valid', 'valid', 'other key', 'garbage', 'missing', 'over other bytes'),
  headers: fc.constantFrom('ok', 'ok', 'ok', 'missing message id', 'bad event type', 'bad message id', 'stale timestamp', 'future timestamp', 'bad timestamp', 'unknown event'),
  eventType: fc.constantFrom('livestream.status.updated', 'livestream.metadata.updated'),
  replay: fc.boolean(),
})

export type WebhookFuzzContext = { url: string; key: KeyObject; otherKey: KeyObject; ledger: Ledger }

function sign(key: KeyObject, id: string, ts: string, bytes: Uint8Array) {
  return createSign('RSA-SHA256').update(Buffer.concat([Buffer.from(`${id}.${ts}.`), bytes])).sign(key, 'base64')
}

export async function webhookFuzz(ctx: WebhookFuzzContext, runs: number, seed: number) {
  const findings: Finding[] = []
  const byStatus: Record<string, number> = {}
  const samples = fc.sample(delivery, { numRuns: runs, seed })
  let n = 0
  for (const x of samples) {
    const id = `01FUZZ${seed}${String(n++).padStart(8, '0')}`
    const now = Date.now()
    const ts =
      x.headers === 'stale timestamp' ? new Date(now - 3600_000).toISOString()
      : x.headers === 'future timestamp' ? new Date(now + 3600_000).toISOString()
      : x.headers === 'bad timestamp' ? 'yesterday-ish'
      : new Date(now).toISOString()
    const msgId = x.headers === 'bad message id' ? '../../$SRV.>' : id
    const h: Record<string, string> = {
      'content-type': 'application/json',
      'Kick-Event-Message-Id': msgId,
      'Kick-Event-Subscription-Id': '01FUZZSUBSCRIPTION',
      'Kick-Event-Message-Timestamp': ts,
      'Kick-Event-Type': x.headers === 'bad event type' ? 'kick.events.>' : x.headers === 'unknown event' ? 'chat.message.sent' : x.eventType,
      'Kick-Event-Version': '1',
    }
    if (x.headers === 'missing message id') delete h['Kick-Event-Message-Id']
    const b = x.body.bytes
    if (x.signature === 'valid') h['Kick-Event-Signature'] = sign(ctx.key, msgId, ts, b)
    if (x.signature === 'other key') h['Kick-Event-Signature'] = sign(ctx.otherKey, msgId, ts, b)
    if (x.signature === 'garbage') h['Kick-Event-Signature'] = 'not base64 at all \u00ff'.replace(/[^\x20-\x7e]/g, '?')
    if (x.signature === 'over other bytes') h['Kick-Event-Signature'] = sign(ctx.key, msgId, ts, enc.encode('{}'))
    const input = `${x.body.kind} body ${show(b, 160)}, signature ${x.signature}, headers ${x.headers}${x.replay ? ', sent twice' : ''}`

    for (let attempt = 0; attempt < (x.replay ? 2 : 1); attempt++) {
      const before = await ctx.ledger.take()
      let status: number | string
      let text = ''
      try {
        const res = await fetch(ctx.url, { method: 'POST', headers: h, body: b as unknown as BodyInit, signal: AbortSignal.timeout(15_000) })
        status = res.status
        text = await readSome(res)
      } catch (e) {
        status = (e as Error).name
      }
      byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1
      const label = attempt ? 'replayed delivery' : input
      if (typeof status === 'string') {
        findings.push({ kind: 'no answer', target: 'POST /webhooks/kick', input: label, status, detail: 'no HTTP answer' })
        break
      }
      if (status >= 500) findings.push({ kind: '5xx', target: 'POST /webhooks/kick', input: label, status, detail: text.slice(0, 300) })
      const leak = leaks(text)
      if (leak) findings.push({ kind: 'leak', target: 'POST /webhooks/kick', input: label, status, detail: leak })
      // An accepted delivery goes to JetStream and is applied (or terminated) by the poller; none of these
      // is about a monitored streamer, so nothing else may change. A replay must not even reach JetStream.
      const accepted = status < 300 && attempt === 0
      if (accepted && !(await ctx.ledger.webhooksConsumed()))
        findings.push({ kind: 'no answer', target: 'KICK_WEBHOOKS → poller', input: label, status, detail: 'an accepted delivery was not applied or terminated by the poller within 10 s' })
      const after = await ctx.ledger.take()
      const changed = Ledger.diff(before, after).filter((d) => !(accepted && d.startsWith(`${WEBHOOKS_STREAM}.last_seq`)))
      if (changed.length) findings.push({ kind: 'recorded', target: 'POST /webhooks/kick', input: `${label} (answered ${status})`, status, detail: changed.join('; ') })
    }
  }
  return { sent: samples.reduce((k, x) => k + (x.replay ? 2 : 1), 0), byStatus, findings }
}
