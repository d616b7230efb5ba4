import type { NatsConnection } from '@nats-io/transport-node'
import { AuthApi, type Actor, type AuthEndpointName, type AuthInput, type AuthOutput, type SessionUser } from '@kickmon/shared/contracts/auth'
import { request } from '@kickmon/shared/rpc'
import { AuthInternalApi } from '@kickmon/shared/contracts/auth-internal'

export type { SessionUser, Actor }
export type VerifiedSession = AuthOutput<'verify'> & { token: string }
export type VerifiedKey = AuthOutput<'apikeysVerify'>

/** The gateway's calls to the auth service, typed by the shared contract. */
export class AuthClient {
  constructor(private readonly nc: NatsConnection) {}

  call<K extends AuthEndpointName>(name: K, input: AuthInput<K>, requestId?: string): Promise<AuthOutput<K>> {
    const def = AuthApi[name]
    return request(this.nc, def.subject, input, def.output, { requestId }) as Promise<AuthOutput<K>>
  }

  login(input: AuthInput<'login'>, requestId?: string) {
    return this.call('login', input, requestId)
  }

  async verify(token: string, requestId?: string): Promise<VerifiedSession> {
    return { ...(await this.call('verify', { token }, requestId)), token }
  }

  verifyKey(key: string, requestId?: string): Promise<VerifiedKey> {
    return this.call('apikeysVerify', { api_key: key }, requestId)
  }

  logout(token: string, requestId?: string) {
    return this.call('logout', { actor: { session: token } }, requestId)
  }

  /** A user's live session ids (auth.internal.sessions.live: the gateway never acts as the system). */
  async liveSessions(userId: number, requestId?: string): Promise<string[]> {
    const api = AuthInternalApi.sessionsLive
    return (await request(this.nc, api.subject, { user_id: userId }, api.output, { requestId })).session_ids
  }

  visible(actor: Actor, requestId?: string) {
    return this.call('accessVisible', { actor }, requestId)
  }
}
