import { loadEnv } from '@kickmon/shared/parse-env'
import { runService } from '@kickmon/shared/service'
import { authService } from './definition.ts'
import { AuthConfigSchema } from './config.ts'

// auth: users, sessions, roles, assignments, API keys, configuration and the audit log,
// all as NATS service endpoints (the gateway is its only HTTP face). See docs/auth.md.
await runService(authService(loadEnv(AuthConfigSchema)))
