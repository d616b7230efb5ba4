import { beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { copiesFrom, effectiveUser, readDockerfile, ROOT, type Dockerfile } from './dockerfile.ts'

// deploy/Dockerfile checked without a Docker engine (tests/ops/image.test.ts runs its layout).

const SERVICES = ['auth', 'gateway', 'poller', 'notifier', 'kick-sim'] as const

describe('deploy/Dockerfile', () => {
  let df: Dockerfile
  let builtBinaries: string[]
  beforeAll(async () => {
    df = await readDockerfile()
    // The names deploy/build-binaries.sh writes into its output directory.
    const script = readFileSync(join(ROOT, 'deploy', 'build-binaries.sh'), 'utf8')
    const loop = /for s in ([\w\s-]+); do/.exec(script)?.[1]!.trim().split(/\s+/) ?? []
    builtBinaries = [...new Set([...loop, ...[...script.matchAll(/"\$out\/([\w-]+)"/g)].map((m) => m[1]!)])]
  })

  test('multi-stage: a pinned Bun build stage, a runtime base, and one target per service plus the CLI', () => {
    expect(df.globalArgs.get('BUN_VERSION')).toBe('1.4.4')
    expect(df.stages.map((s) => `${s.name} ← ${s.from}`)).toEqual([
      'build ← oven/bun:${BUN_VERSION}',
      'runtime ← oven/bun:${BUN_VERSION}-slim',
      'auth ← runtime', 'gateway ← runtime', 'poller ← runtime', 'notifier ← runtime', 'kick-sim ← runtime', 'kickmon ← runtime',
    ])
    const build = df.stages[0]!.instructions
    expect(build.some((i) => i.op === 'RUN' && i.args === 'bun install --frozen-lockfile')).toBe(true)
    expect(build.some((i) => i.op === 'RUN' && i.args === 'bash deploy/build-binaries.sh /out')).toBe(true)
  })

  test('installs from every workspace manifest, so a new workspace cannot be forgotten', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
    const manifests = root.workspaces.flatMap((w) => (w.endsWith('/*') ? [...new Bun.Glob(`${w.slice(0, -2)}/*/package.json`).scanSync(ROOT)] : [`${w}/package.json`])).sort()
    const copied = df.stages[0]!.instructions.filter((i) => i.op === 'COPY' && /package\.json /.test(i.args)).map((i) => i.args.split(/\s+/)[0]!).filter((p) => p !== 'package.json').sort()
    expect(copied).toEqual(manifests)
  })

  test('every target runs as the unprivileged kickmon user, and its command is a binary the build makes', () => {
    expect(builtBinaries.sort()).toEqual(['auth', 'gateway', 'kick-sim', 'kickmon', 'notifier', 'poller'])
    for (const t of [...SERVICES, 'kickmon']) {
      expect(effectiveUser(df, t), t).toBe('kickmon')
      const stage = df.stages.find((s) => s.name === t)!
      const exec = (op: string) => stage.instructions.filter((i) => i.op === op).map((i) => JSON.parse(i.args) as string[]).at(-1)
      const bin = (exec('ENTRYPOINT')?.length ? exec('ENTRYPOINT') : exec('CMD'))![0]!
      expect(bin, t).toBe(`/app/bin/${t}`)
      expect(copiesFrom(df, t).some((c) => c.src === `/out/${t}` && c.dst === `/app/bin/${t}`), t).toBe(true)
    }
    // The poller becomes root only to install Chromium, and goes back.
    const poller = df.stages.find((s) => s.name === 'poller')!.instructions.map((i) => `${i.op} ${i.args}`)
    expect(poller.filter((l) => l.startsWith('USER '))).toEqual(['USER root', 'USER kickmon'])
    expect(poller.findIndex((l) => l === 'USER kickmon')).toBeLessThan(poller.findIndex((l) => l.startsWith('CMD')))
  })

  test('everything copied out of the build stage exists there: repository paths, or binaries the build makes', () => {
    for (const t of [...SERVICES, 'kickmon'])
      for (const c of copiesFrom(df, t)) {
        expect(c.from, t).toBe('build')
        if (c.src.startsWith('/out/')) expect(builtBinaries, `${t}: ${c.src}`).toContain(c.src.slice('/out/'.length))
        else expect(existsSync(join(ROOT, c.src.replace(/^\/app\//, ''))), `${t}: ${c.src}`).toBe(true)
      }
  })

  test('every ${ARG} used is declared', () => {
    for (const s of df.stages) {
      const declared = new Set([...df.globalArgs.keys(), ...s.instructions.filter((i) => i.op === 'ARG').map((i) => i.args.split('=')[0]!)])
      for (const i of s.instructions.filter((x) => x.op === 'RUN'))
        for (const m of i.args.matchAll(/\$\{(\w+)\}/g)) expect(declared.has(m[1]!), `${s.name}: ${m[1]} (line ${i.line})`).toBe(true)
    }
  })
})

test('.dockerignore keeps secrets, local state, node_modules and test artifacts out of every image layer', () => {
  const rules = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  for (const p of ['.env', '.data/', 'node_modules/', 'test-artifacts/', '.git/']) expect(rules, p).toContain(p)
  // What the build stage reads must not be ignored.
  for (const p of ['sql', 'web', 'shared', 'services', 'cli', 'package.json', 'bun.lock', '.env.example']) expect(rules.some((r) => r === p || r === `${p}/`), p).toBe(false)
  expect(rules).toContain('!.env.example')
})
