import { CircuitBreaker } from './circuit-breaker.ts'
import type { RequestBudget } from './request-budget.ts'
import { KickApiError, isBlocked, parseRetryAfter } from './errors.ts'
import { parseChannels, parseLivestreams, parseUsers, type ChannelInfo, type KickUser, type LiveStream } from './parse.ts'
import { parseSubscribeResults, parseSubscriptions, type EventSubscription, type SubscribeResult } from './parse-events.ts'
import type { TokenStore } from './token-store.ts'

export type Outcome = { endpoint: string; status: number | null; outcome: 'ok' | KickApiError['kind']; ms: number }

/** Kick's documented batch limits (docs/kick-api.md#limits); /channels uses 25 because of Kick issue #321. */
export const LIMITS = { channels: 25, livestreams: 100, users: 50, unsubscribeIds: 50 } as const

const SUBSCRIPTIONS = '/public/v1/events/subscriptions'
type Method = 'GET' | 'POST' | 'DELETE'

/**
 * The official public API. Every call waits for the shared request budget, passes its
 * endpoint's circuit breaker, and renews the token once on a 401.
 */
export class KickClient {
  readonly breakers = new Map<string, CircuitBreaker>()

  constructor(
    private readonly apiUrl: string,
    private readonly tokens: TokenStore,
    private readonly budget: RequestBudget,
    private readonly onOutcome: (o: Outcome) => void = () => {},
    private readonly timeoutMs = 10_000,
  ) {}

  async channelsBySlug(slugs: string[]): Promise<ChannelInfo[]> {
    if (slugs.length > LIMITS.channels) throw new RangeError(`at most ${LIMITS.channels} slugs per call`)
    return parseChannels(await this.get('/public/v1/channels', slugs.map((s) => ['slug', s])))
  }

  async channelsByUserId(ids: number[]): Promise<ChannelInfo[]> {
    if (ids.length > LIMITS.channels) throw new RangeError(`at most ${LIMITS.channels} ids per call`)
    return parseChannels(await this.get('/public/v1/channels', ids.map((id) => ['broadcaster_user_id', String(id)])))
  }

  /** Live streams among `ids`; an id missing from the answer is offline. */
  async livestreams(ids: number[]): Promise<LiveStream[]> {
    if (ids.length > LIMITS.livestreams) throw new RangeError(`at most ${LIMITS.livestreams} ids per call`)
    return parseLivestreams(await this.get('/public/v1/users/livestreams', ids.map((id) => ['user_id', String(id)])))
  }

  async users(ids: number[]): Promise<KickUser[]> {
    if (ids.length > LIMITS.users) throw new RangeError(`at most ${LIMITS.users} ids per call`)
    return parseUsers(await this.get('/public/v1/users', ids.map((id) => ['id', String(id)])))
  }

  /** Subscribe one broadcaster to webhook events (app token: any broadcaster, docs/kick-api.md#subscriptions). */
  async subscribe(broadcasterUserId: number, events: string[]): Promise<SubscribeResult[]> {
    const body = { broadcaster_user_id: broadcasterUserId, events: events.map((name) => ({ name, version: 1 })), method: 'webhook' }
    return parseSubscribeResults(await this.call('POST', SUBSCRIPTIONS, [], body))
  }

  /** Every event subscription this app holds. */
  async subscriptions(): Promise<EventSubscription[]> {
    return parseSubscriptions(await this.call('GET', SUBSCRIPTIONS, []))
  }

  async unsubscribe(ids: string[]): Promise<void> {
    if (ids.length > LIMITS.unsubscribeIds) throw new RangeError(`at most ${LIMITS.unsubscribeIds} ids per call`)
    if (ids.length) await this.call('DELETE', SUBSCRIPTIONS, ids.map((id) => ['id', id]))
  }

  breaker(endpoint: string): CircuitBreaker {
    let b = this.breakers.get(endpoint)
    if (!b) this.breakers.set(endpoint, (b = new CircuitBreaker(endpoint)))
    return b
  }

  private get(path: string, params: [string, string][]): Promise<unknown> {
    return this.call('GET', path, params)
  }

  /** Endpoints are named by path for reads and `METHOD path` otherwise (health report, breakers). */
  private async call(method: Method, path: string, params: [string, string][], json?: unknown): Promise<unknown> {
    const endpoint = method === 'GET' ? path : `${method} ${path}`
    const breaker = this.breaker(endpoint)
    if (!breaker.allow()) throw new KickApiError('server', null, `${endpoint} is backing off for ${Math.ceil(breaker.retryInMs / 1000)} s after repeated failures`)
    const url = new URL(path, this.apiUrl)
    for (const [k, v] of params) url.searchParams.append(k, v)
    try {
      const body = await this.send(url, endpoint, true, method, json)
      breaker.success()
      return body
    } catch (e) {
      if (e instanceof KickApiError && e.retryable) breaker.failure((e.retryAfterS ?? 0) * 1000)
      else breaker.success() // a 4xx is our problem, not the endpoint's health
      throw e
    }
  }

  private async send(url: URL, endpoint: string, mayRenew: boolean, method: Method = 'GET', json?: unknown): Promise<unknown> {
    await this.budget.take()
    const token = await this.tokens.get()
    const t0 = performance.now()
    const report = (status: number | null, outcome: Outcome['outcome']) =>
      this.onOutcome({ endpoint, status, outcome, ms: performance.now() - t0 })
    let res: Response
    let text: string
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
      text = await res.text()
    } catch (e) {
      const timeout = (e as Error).name === 'TimeoutError'
      report(null, timeout ? 'timeout' : 'network')
      throw new KickApiError(timeout ? 'timeout' : 'network', null, `${endpoint}: ${timeout ? 'timed out' : (e as Error).message}`)
    }
    if (res.status === 401 && mayRenew) {
      report(401, 'unauthorized')
      this.tokens.invalidate(token)
      return this.send(url, endpoint, false, method, json)
    }
    if (isBlocked(res.status, res.headers, text)) {
      report(res.status, 'blocked')
      throw new KickApiError('blocked', res.status, `${endpoint}: blocked by Kick's edge (${res.status})`)
    }
    if (res.status === 429) {
      const retryAfterS = parseRetryAfter(res.headers.get('retry-after'))
      this.budget.pause(retryAfterS ?? 5)
      report(429, 'rate_limited')
      throw new KickApiError('rate_limited', 429, `${endpoint}: rate limited`, retryAfterS)
    }
    if (res.status >= 500) {
      report(res.status, 'server')
      throw new KickApiError('server', res.status, `${endpoint}: server error ${res.status}`)
    }
    if (!res.ok) {
      report(res.status, res.status === 401 ? 'unauthorized' : 'bad_request')
      throw new KickApiError(res.status === 401 ? 'unauthorized' : 'bad_request', res.status, `${endpoint}: ${res.status} ${text.slice(0, 200)}`)
    }
    if (res.status === 204 || (method === 'DELETE' && !text.trim())) {
      report(res.status, 'ok')
      return null
    }
    try {
      const body = JSON.parse(text)
      report(res.status, 'ok')
      return body
    } catch {
      report(res.status, 'bad_response')
      throw new KickApiError('bad_response', res.status, `${endpoint}: answer is not JSON`)
    }
  }
}
