import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

// Everything a maintainer needs lives in the repository (issue 14, item 4). Two guards:
// 1. no doc, README or code comment cites a file that someone who clones the repository does
//    not have (the design notes, the Kick API notes and the stack notes that lived beside it):
//    the in-repo pages are docs/design.md and docs/kick-api.md (the stack conventions we rely on
//    are in docs/design.md#service-conventions), cited by a path inside the repository and an
//    anchor, never by a section number;
// 2. every relative link in README.md and docs/*.md points to a file that exists inside the
//    repository, and a `#anchor` into a Markdown page names one of its headings.

const ROOT = resolve(import.meta.dir, '../..')
const SELF = relative(ROOT, import.meta.path)
const TEXT = /\.(ts|tsx|js|mjs|md|sql|ya?ml|conf|service|sh|toml|css|html|example)$|(^|\/)(run|Dockerfile[^/]*)$/

function repoFiles(): string[] {
  const out = Bun.spawnSync(['git', 'ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
  return out.stdout
    .toString()
    .split('\n')
    .filter((f) => f && TEXT.test(f) && f !== SELF && existsSync(join(ROOT, f)))
}

const IN_REPO_PAGES = new Set(['design.md', 'kick-api.md'])

/** Citations of the outside notes, with the line they are on. */
function outsideCitations(file: string, text: string): string[] {
  const found: string[] = []
  const inDocs = dirname(file) === 'docs'
  text.split('\n').forEach((line, i) => {
    const where = `${file}:${i + 1}: ${line.trim().slice(0, 120)}`
    // The outside folder itself, or a section number (`§4.2`): the outside notes were cited by
    // section; the in-repo pages are cited by anchor.
    if (/\/work\/shared|§\s*\d/.test(line)) found.push(where)
    for (const m of line.matchAll(/([\w./-]*?)(design|kick-api|stack-notes)(\.md)?\b/g)) {
      const [all, prefix = '', name, ext] = m
      if (name === 'stack-notes') {
        found.push(where)
        continue
      }
      if (!ext) continue
      const page = `${name}.md`
      if (!IN_REPO_PAGES.has(page)) continue
      // docs/<page> from anywhere, or a bare/`./` name inside docs/.
      const ok = /(^|[^\w./-])docs\/$/.test(` ${prefix}`) || (inDocs && (prefix === '' || prefix === './'))
      // A relative path that climbs out must land on docs/<page> inside the repository.
      const climbs = prefix.startsWith('../') && resolve(ROOT, dirname(file), prefix + page) === join(ROOT, 'docs', page)
      if (!ok && !climbs) found.push(`${where}  [${all}]`)
    }
    // Any other file under shared/ that is not in the repository (the old notes lived in a shared/ folder).
    for (const m of line.matchAll(/(?:^|[^\w/.-])((?:\.\.\/)*shared\/[\w.-]+\.md)\b/g)) {
      const rel = m[1] ?? ''
      const target = rel.startsWith('../') ? resolve(ROOT, dirname(file), rel) : join(ROOT, rel.replace(/^(\.\.\/)*/, ''))
      if (!target.startsWith(ROOT + '/') || !existsSync(target)) found.push(`${where}  [${rel}]`)
    }
  })
  return [...new Set(found.map((f) => f.replace(/  \[.*\]$/, '')))]
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced
    if (fenced) continue
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (h) {
      const base = (h[1] ?? '')
        .replace(/`/g, '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-')
      const n = seen.get(base) ?? 0
      seen.set(base, n + 1)
      out.add(n ? `${base}-${n}` : base)
    }
    for (const a of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(a[1] ?? '')
  }
  return out
}

/** Relative links of a Markdown file that point nowhere. */
function brokenLinks(file: string, text: string): string[] {
  const broken: string[] = []
  let fenced = false
  text.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced
    if (fenced) return
    const plain = line.replace(/`[^`]*`/g, '')
    const targets = [...plain.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...plain.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)].map((m) => m[1] ?? '')
    for (const t of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(t)) continue // http:, https:, mailto:
      const [path, anchor] = t.split('#', 2) as [string, string | undefined]
      const target = path ? resolve(ROOT, dirname(file), decodeURIComponent(path)) : join(ROOT, file)
      const where = `${file}:${i + 1}: ${t}`
      if (!target.startsWith(ROOT + '/') && target !== ROOT) {
        broken.push(`${where} (outside the repository)`)
        continue
      }
      if (!existsSync(target)) {
        broken.push(`${where} (no such file)`)
        continue
      }
      if (anchor && target.endsWith('.md') && statSync(target).isFile()) {
        if (!anchors(readFileSync(target, 'utf8')).has(anchor.toLowerCase())) broken.push(`${where} (no such heading)`)
      }
    }
  })
  return broken
}

describe('docs stand alone', () => {
  const files = repoFiles()

  test('the repository is found', () => {
    expect(files).toContain('README.md')
    expect(files.filter((f) => f.startsWith('docs/')).length).toBeGreaterThan(5)
  })

  test('no doc, README or code comment cites a file outside the repository', () => {
    const found = files.flatMap((f) => outsideCitations(f, readFileSync(join(ROOT, f), 'utf8')))
    expect(found).toEqual([])
  })

  test('the pages those citations point to are in the repository', () => {
    for (const page of IN_REPO_PAGES) expect(existsSync(join(ROOT, 'docs', page))).toBe(true)
  })

  test('every relative link in README.md and docs/*.md points to something that exists', () => {
    const md = files.filter((f) => f === 'README.md' || /^docs\/[^/]+\.md$/.test(f))
    const broken = md.flatMap((f) => brokenLinks(f, readFileSync(join(ROOT, f), 'utf8')))
    expect(broken).toEqual([])
  })

  test('the guards catch what they are for', () => {
    expect(outsideCitations('shared/src/x.ts', '// the subjects (design.md §4)')).toHaveLength(1)
    expect(outsideCitations('docs/x.md', 'see kick-api.md §3.5')).toHaveLength(1)
    expect(outsideCitations('docs/x.md', 'see [kick-api.md §4](../../shared/kick-api.md)').length).toBeGreaterThan(0)
    expect(outsideCitations('docs/x.md', 'the design is `../shared/design.md`')).toHaveLength(1)
    expect(outsideCitations('bench/x.ts', '// stack-notes §3')).toHaveLength(1)
    expect(outsideCitations('tests/x.ts', "test('the §4.2 shape')")).toHaveLength(1)
    expect(outsideCitations('bench/x.ts', '// (docs/design.md#targets)')).toEqual([])
    expect(outsideCitations('docs/x.md', 'see [targets](design.md#targets)')).toEqual([])
    expect(outsideCitations('tests/unit/x.ts', "import { x } from '../../shared/src/config.ts'")).toEqual([])
    expect(brokenLinks('docs/x.md', '[a](nowhere.md) [b](../README.md) [c](https://example.com)')).toEqual(['docs/x.md:1: nowhere.md (no such file)'])
    expect(brokenLinks('docs/x.md', '[a](../../outside.md)')).toHaveLength(1)
    expect(brokenLinks('docs/x.md', '[a](../README.md#no-such-heading-anywhere)')).toHaveLength(1)
  })
})
