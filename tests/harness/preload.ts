// Loaded before every test file (bunfig.toml). Keeps test logs quiet unless asked, and stops
// the run's private PostgreSQL after the last test (a preload's afterAll spans the whole run).
import { afterAll } from 'bun:test'
import { stopTestPostgres } from './infra.ts'

process.env.LOG_LEVEL ??= 'warn'

afterAll(async () => {
  await stopTestPostgres()
})
