import type { ServiceOptions } from '@kickmon/shared/service'
import { startAuth } from './app.ts'
import type { AuthConfig } from './config.ts'

// auth: users, sessions, roles, assignments, API keys, configuration and the audit log,
// all as NATS service endpoints (the gateway is its only HTTP face). See docs/auth.md.
/** main.ts runs it alone, scripts/one-process.ts beside the others. */
export const authService = (config: AuthConfig): ServiceOptions<AuthConfig> => ({
  name: 'auth',
  description: 'users, sessions, roles, streamer assignments, API keys, configuration, audit log',
  port: config.AUTH_PORT,
  host: config.AUTH_HOST,
  config,
  useDb: true,
  start: async (ctx) => void (await startAuth(ctx)),
})
