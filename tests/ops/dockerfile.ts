import { join } from 'node:path'

export const ROOT = join(import.meta.dir, '..', '..')

export type Instruction = { op: string; args: string; line: number }
export type Stage = { name: string; from: string; instructions: Instruction[] }
export type Dockerfile = { globalArgs: Map<string, string | undefined>; stages: Stage[] }

/** Enough of the Dockerfile syntax for these checks: continuations, comments, stages. */
export function parseDockerfile(text: string): Dockerfile {
  const logical: { text: string; line: number }[] = []
  let buf = ''
  let start = 0
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd()
    if (!buf && (line.trim().startsWith('#') || !line.trim())) return
    if (!buf) start = i + 1
    if (line.endsWith('\\')) buf += line.slice(0, -1) + ' '
    else {
      logical.push({ text: (buf + line).trim(), line: start })
      buf = ''
    }
  })
  const globalArgs = new Map<string, string | undefined>()
  const stages: Stage[] = []
  for (const { text: l, line } of logical) {
    const m = /^(\w+)\s+(.*)$/s.exec(l)
    if (!m) continue
    const op = m[1]!.toUpperCase()
    const args = m[2]!.trim()
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!
      stages.push({ from: f[1]!, name: f[2] ?? String(stages.length), instructions: [] })
    } else if (!stages.length && op === 'ARG') {
      const [k, v] = args.split('=')
      globalArgs.set(k!, v)
    } else stages.at(-1)?.instructions.push({ op, args, line })
  }
  return { globalArgs, stages }
}

/** `${NAME}` and `$NAME` replaced from `vars` (the ARG defaults). */
export const expandArgs = (s: string, vars: Map<string, string | undefined>) =>
  s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => vars.get(a ?? b) ?? `\${${a ?? b}}`)

/** The stage and its ancestors (a stage built FROM another stage inherits from it), nearest first. */
export function lineage(df: Dockerfile, name: string): Stage[] {
  const out: Stage[] = []
  for (let s = df.stages.find((x) => x.name === name); s; s = df.stages.find((x) => x.name === s!.from)) out.push(s)
  return out
}

/** The user a target runs as: the last USER in it or the stage it is built from. */
export function effectiveUser(df: Dockerfile, target: string): string {
  for (const s of lineage(df, target)) {
    const u = s.instructions.filter((i) => i.op === 'USER').at(-1)
    if (u) return u.args
  }
  return 'root'
}

export type CopyFrom = { from: string; src: string; dst: string }

/** `COPY --from=<stage> <src> <dst>` of a target and its ancestors, in build order. */
export function copiesFrom(df: Dockerfile, target: string): CopyFrom[] {
  return lineage(df, target)
    .reverse()
    .flatMap((s) => s.instructions.filter((i) => i.op === 'COPY' && i.args.startsWith('--from=')))
    .map((i) => {
      const [flag, src, dst] = i.args.split(/\s+/)
      return { from: flag!.slice('--from='.length), src: src!, dst: dst! }
    })
}

export const readDockerfile = async () => parseDockerfile(await Bun.file(join(ROOT, 'deploy', 'Dockerfile')).text())
