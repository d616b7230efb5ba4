import { runService } from '@kickmon/shared/service'
import { authService } from './definition.ts'
import { loadAuthConfig } from './config.ts'

// auth: users, sessions, roles, assignments, API keys, configuration and the audit log,
// all as NATS service endpoints (the gateway is its only HTTP face). See docs/auth.md.
await runService(authService(loadAuthConfig()))
