import { z } from 'zod'

/**
 * `--name value` / `--name=value` / `--flag` options for a scenario, validated with zod:
 * a typo or a bad value stops with one clear line instead of a run with defaults.
 */
export function parseArgs<T extends z.ZodRawShape>(shape: T, argv = process.argv.slice(2)): z.infer<z.ZodObject<T>> {
  const raw: Record<string, string | boolean> = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const m = a.match(/^--([a-z][a-z0-9-]*)(?:=(.*))?$/)
    if (!m) fail(`unexpected argument "${a}"`)
    const key = m![1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    if (m![2] !== undefined) raw[key] = m![2]
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) raw[key] = argv[++i]!
    else raw[key] = true
  }
  const r = z.strictObject(shape).safeParse(raw)
  if (!r.success) fail(r.error.issues.map((i) => `${i.path.length ? `--${String(i.path[0]).replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ` : ''}${i.message}`).join('; '))
  return r.data as z.infer<z.ZodObject<T>>
}

function fail(msg: string): never {
  console.error(`error: ${msg}`)
  process.exit(2)
}

export const int = (d: number, min = 0, max = 1_000_000) => z.coerce.number().int().min(min).max(max).default(d)
export const num = (d: number, min = 0, max = 1_000_000) => z.coerce.number().min(min).max(max).default(d)
export const flag = z.union([z.literal(true), z.stringbool()]).default(false)
