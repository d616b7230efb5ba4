import type { Logger } from '@kickmon/shared/logger'
import type { ApiKeyCache } from './api-key-cache.ts'
import type { AuthClient } from '../clients/auth-client.ts'
import type { Caller } from './request-auth.ts'
import type { SessionCache } from './session-cache.ts'

/** Why a connection's credential stopped being valid (the SSE `end` reason, the socket's close reason). */
export type EndReason = 'session ended' | 'session expired' | 'API key revoked'

type Entry = { caller: Caller; end: (reason: EndReason) => void; expiresAt: number; since: number }

export type WatchOptions = {
  /** How often each user's sessions are re-checked with auth (idle timeout); keys likewise. */
  recheckMs?: number
  /** How often the watch wakes up to end what is due (absolute lifetime, due re-checks). */
  tickMs?: number
}

/**
 * Ends open connections (`/ws` sockets, SSE streams) when the credential that opened them is
 * no longer valid. HTTP requests are checked one by one; a connection was checked once, on
 * open, so this watches it for as long as it stays open:
 * - revocation (logout, admin, password or role change, user disabled, key revoked): at once,
 *   from auth's NATS messages;
 * - a session's absolute lifetime (SESSION_MAX_S): at its known `expires_at`;
 * - a session's idle timeout (SESSION_IDLE_S, which only auth knows): a re-check per user every
 *   `recheckMs`, asking auth for the user's live sessions (auth.internal.sessions.live). Unlike verify, that does
 *   not count as activity, so an open dashboard does not keep an idle session alive;
 * - a revocation message lost on core NATS: keys are re-verified every `recheckMs` too.
 * Cheap at thousands of connections: one timer, one auth request per user (or key) per period,
 * spread over the period rather than all at once.
 */
export class CredentialWatch {
  /** Connections by what re-checks them: `u:<user id>` (sessions) or `k:<key id>` (API keys). */
  private byCheck = new Map<string, Set<Entry>>()
  /** When each group is next re-checked; a pending check is in `checking`. */
  private due = new Map<string, number>()
  private checking = new Set<string>()
  private timer: Timer | null = null
  /** Both settable (tests shorten them); a new tick period applies once the timer restarts. */
  recheckMs: number
  tickMs: number

  constructor(
    private readonly auth: AuthClient,
    sessions: SessionCache,
    private readonly keys: ApiKeyCache,
    private readonly log: Logger,
    opts: WatchOptions = {},
  ) {
    this.recheckMs = opts.recheckMs ?? 60_000
    this.tickMs = opts.tickMs ?? Math.min(5_000, this.recheckMs)
    sessions.onRevoked((ev) => {
      const gone = new Set(ev.session_ids)
      for (const e of [...(this.byCheck.get(`u:${ev.user_id}`) ?? [])]) if (gone.has(e.caller.sessionId!)) e.end('session ended')
      // Disabling or deleting a user also ends what their API keys opened.
      if (ev.reason === 'user_disabled' || ev.reason === 'user_deleted')
        for (const e of this.all()) if (e.caller.user.id === ev.user_id) e.end('session ended')
    })
    // Auth's revocation message: a key's sockets and streams end at once, on every gateway.
    keys.onRevoked((keyId) => {
      for (const e of [...(this.byCheck.get(`k:${keyId}`) ?? [])]) e.end('API key revoked')
    })
  }

  get size() {
    let n = 0
    for (const s of this.byCheck.values()) n += s.size
    return n
  }

  /** Watch one connection until the returned function is called (when it closes). */
  watch(caller: Caller, end: (reason: EndReason) => void): () => void {
    let ended = false
    const e: Entry = {
      caller,
      end: (reason) => {
        if (ended) return
        ended = true
        unwatch()
        end(reason)
      },
      expiresAt: caller.expiresAt ? Date.parse(caller.expiresAt) : Infinity,
      since: Date.now(),
    }
    const k = caller.keyId !== null ? `k:${caller.keyId}` : `u:${caller.user.id}`
    let set = this.byCheck.get(k)
    if (!set) {
      this.byCheck.set(k, (set = new Set()))
      // A random first check spreads a thousand sockets opened together over the whole period.
      this.due.set(k, Date.now() + Math.random() * this.recheckMs)
    }
    set.add(e)
    this.timer ??= setInterval(() => this.tick(), this.tickMs)
    const unwatch = () => {
      set.delete(e)
      if (set.size === 0 && this.byCheck.get(k) === set) {
        this.byCheck.delete(k)
        this.due.delete(k)
      }
      if (this.byCheck.size === 0) this.stop()
    }
    return () => {
      ended = true
      unwatch()
    }
  }

  stop() {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private all(): Entry[] {
    return [...this.byCheck.values()].flatMap((s) => [...s])
  }

  private tick() {
    const now = Date.now()
    for (const e of this.all()) if (e.expiresAt <= now) e.end('session expired')
    for (const [k, at] of this.due) {
      if (at > now || this.checking.has(k)) continue
      this.due.set(k, now + this.recheckMs)
      this.checking.add(k)
      void this.recheck(k, now).finally(() => this.checking.delete(k))
    }
  }

  /** Ask auth whether the sessions (or the key) behind group `k`'s connections are still valid. */
  private async recheck(k: string, started: number) {
    const entries = () => [...(this.byCheck.get(k) ?? [])].filter((e) => e.since <= started)
    const first = entries()[0]
    if (!first) return
    try {
      if (first.caller.keyId !== null) {
        if (!(await this.keys.verify(first.caller.credential))) for (const e of entries()) e.end('API key revoked')
        return
      }
      const live = new Set(await this.auth.liveSessions(first.caller.user.id))
      for (const e of entries()) if (!live.has(e.caller.sessionId!)) e.end('session expired')
    } catch (err) {
      // Auth unreachable: keep the connections (HTTP fails anyway) and try again next period.
      this.log.warn({ err: (err as Error).message }, 'cannot re-check the credential of open connections')
    }
  }
}
