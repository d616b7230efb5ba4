import { join } from 'node:path'
import { ROOT } from './dockerfile.ts'

export type ComposeService = {
  image?: string
  build?: { context: string; dockerfile: string; target?: string; args?: Record<string, string> }
  command?: string[]
  environment?: Record<string, string>
  env_file?: unknown
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] }
  profiles?: string[]
  init?: boolean
  restart?: string
  stop_grace_period?: string
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean; volume?: { subpath?: string } })[]
  ports?: string[]
}
export type Compose = { name?: string; services: Record<string, ComposeService>; volumes?: Record<string, unknown> }

export async function readCompose(): Promise<Compose> {
  return Bun.YAML.parse(await Bun.file(join(ROOT, 'compose.yaml')).text()) as Compose
}

/** `KEY=value` lines, the way `docker compose --env-file` reads them (no quotes used here). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (m) out[m[1]!] = m[2]!
  }
  return out
}

/**
 * Compose's variable interpolation: `${X}`, `${X:-default}`, `${X-default}`, `${X:?error}`,
 * `${X?error}` and `$$`. Returns the value and the errors a missing required variable raises.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): { value: string; errors: string[] } {
  const errors: string[] = []
  const out = value.replace(/\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g, (all, name: string | undefined, colon: string, kind: string, rest: string) => {
    if (all === '$$') return '$'
    const v = env[name!]
    const missing = v === undefined || (colon === ':' && v === '')
    if (!kind) return v ?? ''
    if (!missing) return v!
    if (kind === '-') return rest
    errors.push(`${name}: ${rest}`)
    return ''
  })
  return { value: out, errors }
}

/** A service's environment after interpolation. */
export function resolvedEnv(svc: ComposeService, env: Record<string, string | undefined>) {
  const errors: string[] = []
  const values: Record<string, string> = {}
  for (const [k, v] of Object.entries(svc.environment ?? {})) {
    const r = interpolate(String(v), env)
    values[k] = r.value
    errors.push(...r.errors)
  }
  return { values, errors }
}
