import { z } from 'zod'
import { createRng, type Rng } from './rng.ts'

// Fault settings, switchable at run time (PUT /_sim/faults) or from a scenario file.
// Rates are probabilities per request (or per webhook delivery) in [0, 1].
const rate = z.number().min(0).max(1)
const ms = z.number().int().min(0).max(24 * 3_600_000)
const rateOrFlag = z.union([z.boolean(), rate])

export const WebhookFaultsSchema = z.strictObject({
  /** Every delivery waits this long (plus up to delayJitterMs). */
  delayMs: ms.optional(),
  delayJitterMs: ms.optional(),
  /** Share of deliveries never sent. */
  dropRate: rate.optional(),
  /** Share of deliveries sent twice with the same Kick-Event-Message-Id. */
  duplicateRate: rate.optional(),
  /** Share of deliveries sent twice, the copy with a new message id (as with duplicate subscriptions, #246). */
  duplicateNewIdRate: rate.optional(),
  /** Deliveries are held for this window and then sent newest first. */
  reorderWindowMs: ms.optional(),
})

export const FaultsSchema = z.strictObject({
  /** Added before answering any Kick route. */
  latencyMs: ms.optional(),
  latencyJitterMs: ms.optional(),
  /** Share of requests answered with a 5xx (picked from errorStatuses, default [500, 502, 503]). */
  errorRate: rate.optional(),
  errorStatuses: z.array(z.number().int().min(500).max(599)).min(1).optional(),
  /** Share of requests whose connection is reset before any response byte. */
  resetRate: rate.optional(),
  /** Share of requests that hang (no answer) for hangMs (default 120 s), then reset. */
  hangRate: rate.optional(),
  hangMs: ms.optional(),
  /** Restrict latency/error/reset/hang/rateLimit to paths starting with one of these. */
  paths: z.array(z.string().startsWith('/')).min(1).optional(),
  /** Per-app token bucket on /public/*: 429 once empty; Retry-After only when retryAfter is true. */
  rateLimit: z.strictObject({
    rps: z.number().positive().max(1_000_000),
    burst: z.number().int().min(1).max(1_000_000).optional(),
    retryAfter: z.boolean().optional(),
  }).optional(),
  /** Kick #321: /public/v1/channels batches larger than 25 return stale/wrong items (rate default 0.5). */
  staleBatch: z.union([z.boolean(), z.strictObject({ rate })]).optional(),
  /** Cloudflare JS challenge on website endpoints (true = always until cleared; a number = share). */
  challenge: rateOrFlag.optional(),
  /** Kick WAF "security policy" 403 on kick.com/api/... (true = always; a number = share). */
  waf: rateOrFlag.optional(),
  /** id.kick.com's other failure (#156): POST /oauth/token answers 400 with an empty body. */
  tokenEmpty400: rateOrFlag.optional(),
  /** Public-API errors answer `{"data":{},…}` (seen in issue reports) instead of the documented `"data":null`. */
  legacyErrorBody: rateOrFlag.optional(),
  webhook: WebhookFaultsSchema.optional(),
})

export type FaultSettings = z.infer<typeof FaultsSchema>
export type WebhookFaults = z.infer<typeof WebhookFaultsSchema>

export class Faults {
  private settings: FaultSettings = {}
  private readonly rng: Rng
  /** Called when settings change (the rate limiter resets its buckets). */
  onChange: () => void = () => {}

  constructor(seed: number) {
    this.rng = createRng(seed, 3)
  }

  get(): FaultSettings {
    return structuredClone(this.settings)
  }
  set(s: FaultSettings): void {
    this.settings = structuredClone(s)
    this.onChange()
  }
  patch(s: FaultSettings): void {
    this.set({ ...this.settings, ...s, webhook: s.webhook ? { ...this.settings.webhook, ...s.webhook } : this.settings.webhook })
  }
  clear(): void {
    this.set({})
  }

  get current(): Readonly<FaultSettings> {
    return this.settings
  }

  hit(p: number | boolean | undefined): boolean {
    if (p === undefined || p === false || p === 0) return false
    if (p === true || p >= 1) return true
    return this.rng.next() < p
  }

  random(): number {
    return this.rng.next()
  }

  appliesTo(path: string): boolean {
    const paths = this.settings.paths
    return !paths || paths.some((p) => path.startsWith(p))
  }

  latency(): number {
    const { latencyMs = 0, latencyJitterMs = 0 } = this.settings
    return latencyMs + (latencyJitterMs ? Math.floor(this.rng.next() * latencyJitterMs) : 0)
  }

  errorStatus(): number {
    const list = this.settings.errorStatuses ?? [500, 502, 503]
    return list[Math.floor(this.rng.next() * list.length)] ?? 500
  }

  staleRate(): number {
    const s = this.settings.staleBatch
    if (s === undefined || s === false) return 0
    return s === true ? 0.5 : s.rate
  }
}
