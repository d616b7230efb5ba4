import { z } from 'zod'
import { AppError } from './errors.ts'

/** Parse input or throw a VALIDATION AppError whose message names the field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const first = r.error.issues[0]
  const where = first?.path.length ? `${first.path.join('.')}: ` : ''
  throw new AppError('VALIDATION', `${where}${first?.message ?? 'invalid input'}`, {
    issues: r.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })),
  })
}

// Kick slugs: lowercase letters, digits, '-' and '_', ≤ 25 chars (docs/kick-api.md#channels).
export const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_-]{1,25}$/, 'a Kick slug is 1–25 characters of a-z, 0-9, "-" or "_"')
