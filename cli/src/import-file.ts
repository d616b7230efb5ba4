import { Slug } from '@kickmon/shared/validation'
import { CliError, Exit } from './exit-codes.ts'
import { readStdinText } from './secret-input.ts'

export type ImportList = { slugs: string[]; invalid: { line: number; value: string; error: string }[] }

/** The roster for `streamers import`: a file, or stdin for `-`. */
export async function readImport(file: string): Promise<ImportList> {
  if (file === '-') return parseImport(await readStdinText())
  const f = Bun.file(file)
  if (!(await f.exists())) throw new CliError(Exit.NOT_FOUND, `no such file: ${file}`)
  return parseImport(await f.text().catch((e) => {
    throw new CliError(Exit.FAILURE, `cannot read ${file}: ${(e as Error).message}`)
  }))
}

/** Slugs one per line or separated by commas/spaces, kick.com URLs, `#` comments, or a JSON array. */
export function parseImport(text: string): ImportList {
  const tokens: { line: number; value: string; error?: string }[] = []
  const trimmed = text.trim()
  if (trimmed.startsWith('[')) {
    let arr: unknown
    try {
      arr = JSON.parse(trimmed)
    } catch {
      throw new CliError(Exit.REJECTED, 'the file starts with "[" but is not valid JSON')
    }
    if (!Array.isArray(arr)) throw new CliError(Exit.REJECTED, 'a JSON import must be an array of slugs')
    arr.forEach((v, i) => {
      const slug = typeof v === 'string' ? v : typeof v === 'object' && v && typeof (v as { slug?: unknown }).slug === 'string' ? (v as { slug: string }).slug : null
      tokens.push(slug === null ? { line: i + 1, value: JSON.stringify(v) ?? String(v), error: 'expected a slug string or {"slug": "…"}' } : { line: i + 1, value: slug })
    })
  } else {
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/#.*/, '').trim()
      if (line) for (const value of line.split(/[\s,;]+/).filter(Boolean)) tokens.push({ line: i + 1, value })
    })
  }
  const seen = new Set<string>()
  const out: ImportList = { slugs: [], invalid: [] }
  for (const t of tokens) {
    const url = /^(?:https?:\/\/)?(?:www\.)?kick\.com\/([^/?#\s]+)/i.exec(t.value)
    const r = Slug.safeParse(url ? url[1] : t.value)
    if (t.error || !r.success) out.invalid.push({ line: t.line, value: t.value.slice(0, 80), error: t.error ?? r.error?.issues[0]?.message ?? 'invalid' })
    else if (!seen.has(r.data)) {
      seen.add(r.data)
      out.slugs.push(r.data)
    }
  }
  return out
}
