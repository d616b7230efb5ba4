// module-cost: what each module costs a process at start, in RSS. For a list of modules, step i
// starts a fresh Bun process that imports modules 1..i (step 0 imports nothing: Bun alone), forces
// a collection (`Bun.gc(true)`), idles `--settle` seconds, collects again and reads its RSS; the
// delta of step i over step i−1 is what module i adds on top of the ones before it. Each step runs
// `--runs` times, the median counts.
//
//   bun bench/module-cost.ts --service gateway        the packages the gateway's definition loads at
//                                                     start (static imports, followed through our own
//                                                     modules), each with the modules of ours that
//                                                     import it, then the definition itself (our code)
//   bun bench/module-cost.ts --service one-process    the same for auth + poller + gateway together
//   bun bench/module-cost.ts --service notifier --ours  each of our modules a step too (what its own code costs)
//   bun bench/module-cost.ts --bundled ...            each step bundled first (Bun.build, target bun),
//                                                     as the services run (.build/, docs/operations.md)
//   bun bench/module-cost.ts --bundled --external badge-maker,liquidjs
//                                                     with more packages left out of the bundles
//   bun bench/module-cost.ts zod elysia services/gateway/src/api/openapi.ts
//                                                     an explicit list (packages resolve from the checkout
//                                                     root, or give a path into a workspace's node_modules)
//
// Dynamic `import()`s (and `require()`s inside functions) are not followed: they are what a
// process pays only when it takes that path (shared/src/lazy.ts).
// Results: bench/results/module-cost-<service or "list">.json. docs/performance.md, "memory".
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { z } from 'zod'
import { flag, int, num, parseArgs } from './lib/args.ts'
import { median, printTable, writeResult } from './lib/stats.ts'

const ROOT = join(import.meta.dir, '..')
// What each main.ts loads at start, without running it: the shared service runner, then the
// service's config and definition (main.ts itself would start the service), and shared/src/db.ts
// (postgres.js) for a service that opens the database, which the runner imports only then.
const main = (db: boolean, ...svcs: string[]) => [
  'shared/src/service.ts', 'shared/src/parse-env.ts', ...(db ? ['shared/src/db.ts'] : []),
  ...svcs.flatMap((s) => [`services/${s}/src/config.ts`, `services/${s}/src/definition.ts`]),
]
const ENTRIES = {
  auth: main(true, 'auth'),
  poller: main(true, 'poller'),
  gateway: main(false, 'gateway'),
  notifier: main(true, 'notifier'),
  // scripts/one-process.ts
  'one-process': main(true, 'auth', 'poller', 'gateway'),
} as const
// Left out of the bundles as scripts/infra/bundles.ts leaves them out (only ever imported lazily).
const EXTERNAL = ['playwright-core', 'nodemailer']

const { _: positional, rest } = splitPositional(process.argv.slice(2))
const a = parseArgs({
  service: z.enum(Object.keys(ENTRIES) as [keyof typeof ENTRIES]).optional(),
  bundled: flag,
  /** More packages left out of the bundles (comma-separated), to see what leaving them to node_modules would save. */
  external: z.string().optional(),
  /** Each of our modules a step of its own too (depth-first, after what it imports): what its own code costs. */
  ours: flag,
  runs: int(3, 1, 20),
  /** Seconds each process idles between the two collections before its RSS is read. */
  settle: num(3, 0, 60),
  /** Processes measured at once (they mostly sleep; RSS does not depend on the CPU share). */
  jobs: int(3, 1, 16),
}, rest)
if (!a.service && !positional.length) {
  console.error('error: give --service <name> or a list of modules')
  process.exit(2)
}

type Step = { label: string; file: string; importers?: string[] }
const steps: Step[] = a.service ? graphSteps(ENTRIES[a.service].map((e) => join(ROOT, e)), a.ours) : positional.map((s) => ({ label: s, file: Bun.resolveSync(s.startsWith('.') || s.includes('/src/') ? join(ROOT, s) : s, ROOT) }))
console.log(`${steps.length} modules, ${steps.length + 1} steps × ${a.runs} runs${a.bundled ? ', bundled' : ', from sources'}`)

// Inside the checkout (.build-*/ is ignored by git), so a package left out of a bundle resolves.
const work = mkdtempSync(join(ROOT, '.build-module-cost-'))
const MARK = 'MODULE-COST-RSS-KB '
async function measure(n: number): Promise<number> {
  const entry = join(work, `step-${n}.ts`)
  // Our measuring code runs after every import (ES modules evaluate in order), so it sees them all.
  writeFileSync(entry, [
    // Namespaces kept alive and used, or the bundler would drop a package marked side-effect free.
    ...steps.slice(0, n).map((s, i) => `import * as m${i} from ${JSON.stringify(s.file)}`),
    `;(globalThis as any).__modules = [${steps.slice(0, n).map((_, i) => `m${i}`).join(', ')}]`,
    `import { readFileSync } from 'node:fs'`,
    `Bun.gc(true); await Bun.sleep(${a.settle * 1000}); Bun.gc(true)`,
    `console.log(${JSON.stringify(MARK)} + readFileSync('/proc/self/status', 'utf8').match(/^VmRSS:\\s+(\\d+) kB/m)![1])`,
    `process.exit(0)`,
  ].join('\n'))
  let run = entry
  if (a.bundled) {
    const r = await Bun.build({ entrypoints: [entry], outdir: join(work, `out-${n}`), target: 'bun', external: [...EXTERNAL, ...(a.external?.split(',').filter(Boolean) ?? [])], throw: false })
    if (!r.success) throw new Error(`bundling step ${n} failed: ${r.logs.join('\n')}`)
    run = r.outputs[0]!.path
  }
  const p = Bun.spawn(['bun', run], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, NODE_ENV: 'production' } })
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  const line = out.split('\n').find((l) => l.startsWith(MARK))
  if (code !== 0 || !line) throw new Error(`step ${n} (${steps[n - 1]?.label ?? 'Bun alone'}) exited ${code}:\n${err.slice(-2000)}`)
  return Number(line.slice(MARK.length)) / 1024
}

// Steps and runs interleaved (step 0..n, then again), so a change in the box's state over the
// minutes spreads over every step instead of falling on a few.
const jobs = Array.from({ length: a.runs }, () => Array.from({ length: steps.length + 1 }, (_, n) => n)).flat()
const rss: number[][] = Array.from({ length: steps.length + 1 }, () => [])
let next = 0
try {
  await Promise.all(Array.from({ length: a.jobs }, async () => {
    while (next < jobs.length) {
      const n = jobs[next++]!
      rss[n]!.push(await measure(n))
    }
  }))
} finally {
  rmSync(work, { recursive: true, force: true })
}

const medians = rss.map((v) => median(v)!)
const rows = medians.map((m, n) => ({
  step: n,
  module: n === 0 ? '(Bun alone)' : steps[n - 1]!.label,
  'RSS MB (median)': m,
  'spread MB': `${Math.min(...rss[n]!).toFixed(1)}–${Math.max(...rss[n]!).toFixed(1)}`,
  '+MB': n === 0 ? null : m - medians[n - 1]!,
  'imported (at start) by': short(steps[n - 1]?.importers ?? []),
}))
printTable(`module-cost${a.service ? ` ${a.service}` : ''}: RSS after Bun.gc(true) and ${a.settle} s, median of ${a.runs}${a.bundled ? ', bundled' : ', from sources'}`, rows)
const biggest = rows.slice(1).sort((x, y) => y['+MB']! - x['+MB']!).slice(0, 8)
printTable('largest additions', biggest.map((r) => ({ module: r.module, '+MB': r['+MB'], 'imported by': r['imported (at start) by'] })))
console.log(`\nwrote ${writeResult(`module-cost-${a.service ?? 'list'}${a.bundled ? '-bundled' : ''}`, { options: a, steps: rows, raw: rss })}`)

/**
 * The static import graph from `entries` (type-only imports are gone after transpiling, the
 * project compiles with verbatimModuleSyntax): every package it loads, in the order a depth-first
 * walk reaches them after their own dependencies, each with our modules that import it; then the
 * entries themselves, whose step is then the cost of our own code.
 */
function graphSteps(entries: string[], ours: boolean): Step[] {
  const ts = new Bun.Transpiler({ loader: 'ts' })
  const js = new Bun.Transpiler({ loader: 'js' })
  const seen = new Set<string>()
  const packages = new Map<string, Step>()
  const order: Step[] = []
  const builtin = new Set(builtinModules)
  const visit = (file: string) => {
    if (seen.has(file) || !/\.[cm]?[jt]s$/.test(file)) return // text, JSON, HTML: part of our code's cost
    seen.add(file)
    const code = file.endsWith('.ts') ? ts.transformSync(readFileSync(file, 'utf8')) : readFileSync(file, 'utf8')
    // A require() at the top level (`x = require(…)` or a bare `require(…)`, printed at column 0 by
    // the transpiler) loads at start too; one inside a function is a lazy load, like an import().
    const topLevel = (p: string) => new RegExp(`^(?:\\S[^\\n]*= )?require\\(${JSON.stringify(p).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`, 'm').test(code)
    const imports = js.scanImports(code).filter((i) => i.kind === 'import-statement' || (i.kind === 'require-call' && topLevel(i.path)))
    for (const { path } of imports) {
      if (path.startsWith('node:') || path.startsWith('bun:') || path === 'bun' || builtin.has(path)) continue
      const resolved = Bun.resolveSync(path, dirname(file))
      // A package's JSON or text (imported `with { type: 'text' }`, say) counts with our code:
      // imported as a module here it would be parsed as something else and cost something else.
      if (!/\.[cm]?[jt]s$/.test(resolved)) continue
      if (resolved.includes('/node_modules/') && !/^[./]/.test(path) && !path.startsWith('@kickmon/')) {
        let p = packages.get(path)
        if (!p) packages.set(path, (p = { label: path, file: resolved, importers: [] })), order.push(p)
        const me = relative(ROOT, file)
        if (!p.importers!.includes(me)) p.importers!.push(me)
      } else visit(resolved)
    }
    const me = relative(ROOT, file)
    if (ours || entries.includes(file)) order.push({ label: me, file, importers: ['(our code)'] })
  }
  for (const e of entries) visit(e)
  return ours ? order : [...packages.values(), ...entries.map((e) => ({ label: relative(ROOT, e), file: e, importers: ['(our code)'] }))]
}

function short(files: string[]) {
  return files.slice(0, 3).join(', ') + (files.length > 3 ? ` (+${files.length - 3})` : '')
}

function splitPositional(argv: string[]) {
  // Modules come before the first --option; options after.
  const i = argv.findIndex((x) => x.startsWith('--'))
  return { _: i < 0 ? argv : argv.slice(0, i), rest: i < 0 ? [] : argv.slice(i) }
}
