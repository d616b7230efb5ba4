import { z } from 'zod'
import type { NatsConnection } from '@nats-io/transport-node'
import { request } from '@kickmon/shared/rpc'
import { endpoints } from '@kickmon/shared/subjects'

export const Role = z.enum(['admin', 'user', 'viewer'])
export const SessionUser = z.object({ id: z.number(), username: z.string(), role: Role, display_name: z.string().nullish() })
export type SessionUser = z.infer<typeof SessionUser>
export const LoginResult = z.object({ user: SessionUser, token: z.string(), csrf_token: z.string(), session_id: z.string(), expires_at: z.string() })
export const VerifyResult = z.object({ session_id: z.string(), user: SessionUser, csrf_token: z.string() })
export type VerifiedSession = z.infer<typeof VerifyResult> & { token: string }
export const Visible = z.object({ all: z.boolean(), slugs: z.array(z.string()) })

/** The gateway's calls to the auth service. */
export class AuthClient {
  constructor(private readonly nc: NatsConnection) {}

  login(input: { username: string; password: string; ip?: string; user_agent?: string }, requestId?: string) {
    return request(this.nc, endpoints.auth.login, input, LoginResult, { requestId })
  }

  async verify(token: string, requestId?: string): Promise<VerifiedSession> {
    return { ...(await request(this.nc, endpoints.auth.verify, { token }, VerifyResult, { requestId })), token }
  }

  logout(token: string, requestId?: string) {
    return request(this.nc, endpoints.auth.logout, { actor: { session: token } }, z.unknown(), { requestId })
  }

  visible(token: string, requestId?: string) {
    return request(this.nc, 'auth.access.visible', { actor: { session: token } }, Visible, { requestId })
  }
}
