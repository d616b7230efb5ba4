import type { z } from 'zod'

// Every process reads its settings through here, each with its own schema (the service's
// config.ts): defaults make a bare `bun run start` work, and anything malformed or missing
// stops the process with one line per variable, naming it and what is wrong.

export type Env = Record<string, string | undefined>

export class ConfigError extends Error {}

/** Parse `env` with `schema`; throws ConfigError whose message is one line per bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env = process.env): z.output<S> {
  // Empty strings mean "unset" so a blank line in .env does not fail validation.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const result = schema.safeParse(set)
  if (result.success) return result.data
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('\n'))
}

/** For main.ts: parse, or print each problem as `config error: …` and exit 1. */
export function loadEnv<S extends z.ZodType>(schema: S, env: Env = process.env): z.output<S> {
  try {
    return parseEnv(schema, env)
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.message.split('\n')) console.error(`config error: ${line}`)
      process.exit(1)
    }
    throw e
  }
}
