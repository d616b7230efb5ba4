// Loaded before every test file (bunfig.toml). Keeps test logs quiet unless asked, and cleans
// up after the whole run (a preload's afterAll runs once, after the last test file).
import { afterAll } from 'bun:test'
import { runEndTasks } from './run-end.ts'

process.env.LOG_LEVEL ??= 'warn'

afterAll(runEndTasks)
