import fc from 'fast-check'
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node'
import { body, jsonValue, nastyString, nearValidObject } from './inputs.ts'
import { leaks, Ledger } from './ledger.ts'
import { show, type Finding } from './findings.ts'
import type { NatsTarget } from './targets.ts'

const enc = new TextEncoder()
/** nats-server's default max_payload; larger requests are refused by the client before sending. */
const MAX_PAYLOAD = 1024 * 1024

const payload = fc.oneof(
  body.map((b) => ({ kind: b.kind, bytes: b.bytes })),
  nearValidObject.map((o) => ({ kind: 'near-valid object', bytes: enc.encode(JSON.stringify(o)) })),
  // The shape every auth endpoint wants, with a garbage actor.
  fc.record({ actor: fc.oneof(jsonValue, fc.record({ session: nastyString }), fc.record({ api_key: nastyString })), rest: nearValidObject })
    .map(({ actor, rest }) => ({ kind: 'object with an actor', bytes: enc.encode(JSON.stringify({ ...rest, actor })) })),
)

/** Generated requests to every NATS endpoint found through `$SRV.INFO`. */
export async function natsFuzz(nc: NatsConnection, targets: NatsTarget[], ledger: Ledger, runs: number, seed: number) {
  const findings: Finding[] = []
  const outcomes: Record<string, number> = {}
  const samples = fc.sample(fc.record({ target: fc.constantFrom(...targets), payload, requestId: fc.option(nastyString, { freq: 4 }) }), { numRuns: runs, seed })
  let sent = 0
  for (const x of samples) {
    if (x.payload.bytes.length >= MAX_PAYLOAD) continue
    sent++
    const input = `${x.payload.kind}: ${show(x.payload.bytes, 200)}${x.requestId !== null ? ` x-request-id ${show(x.requestId, 60)}` : ''}`
    const h = natsHeaders()
    if (x.requestId !== null) {
      try {
        h.set('x-request-id', x.requestId)
      } catch {
        // the client refuses header values it cannot encode; that request is not sendable
      }
    }
    const before = await ledger.take()
    let code: number | null = null
    let text = ''
    try {
      const m = await nc.request(x.target.subject, x.payload.bytes, { timeout: 10_000, headers: h })
      const c = m.headers?.get('Nats-Service-Error-Code')
      code = c ? Number(c) : 200
      text = `${m.headers?.get('Nats-Service-Error') ?? ''} ${m.string()}`
    } catch (e) {
      const why = (e as { cause?: { name?: string } }).cause?.name ?? (e as Error).name
      outcomes[why] = (outcomes[why] ?? 0) + 1
      findings.push({ kind: 'no answer', target: x.target.subject, input, status: why, detail: (e as Error).message })
      continue
    }
    outcomes[String(code)] = (outcomes[String(code)] ?? 0) + 1
    if (code >= 500) findings.push({ kind: '5xx', target: x.target.subject, input, status: code, detail: text.slice(0, 300) })
    const leak = leaks(text)
    if (leak) findings.push({ kind: 'leak', target: x.target.subject, input, status: code, detail: leak })
    if (code >= 400) {
      const changed = Ledger.diff(before, await ledger.take())
      if (changed.length) findings.push({ kind: 'recorded', target: x.target.subject, input, status: code, detail: changed.join('; ') })
    }
  }
  return { sent, outcomes, findings }
}
