#!/usr/bin/env bun
// `kickmon`: the operator's command line (docs/cli.md). This file only wires: it finds the
// command, parses and validates its arguments, runs it and turns the outcome into an exit code.
import { AppError } from '@kickmon/shared/errors'
import { parseArgv, parsePositionals } from './args.ts'
import { Ctx } from './context.ts'
import { CliError, errorCodeOf, Exit, exitCodeOf, type ExitCode } from './exit-codes.ts'
import { commandHelp } from './help.ts'
import { resolve, splitGlobals } from './router.ts'

const writer = (s: NodeJS.WriteStream) => ({ write: (t: string) => void s.write(t), isTTY: !!s.isTTY, columns: s.columns })

async function main(argv: string[]): Promise<ExitCode> {
  const { globals, rest } = splitGlobals(argv)
  const color = !globals.json && !globals.noColor && !process.env.NO_COLOR && !!process.stdout.isTTY
  const ctx = new Ctx({ json: globals.json, color, stdout: writer(process.stdout), stderr: writer(process.stderr) })
  try {
    const inv = resolve(rest, globals)
    if (inv.kind === 'help') {
      ;(inv.code === Exit.OK ? process.stdout : process.stderr).write(inv.text + '\n')
      return inv.code
    }
    if (globals.help) {
      process.stdout.write(commandHelp(inv.group, inv.command) + '\n')
      return Exit.OK
    }
    const { opts, positionals } = parseArgv(inv.rest, inv.command.options, inv.where)
    const args = parsePositionals(inv.command, positionals, inv.where)
    return (await inv.command.run(ctx, opts as never, args)) ?? Exit.OK
  } catch (e) {
    return report(ctx, e)
  } finally {
    await ctx.close()
  }
}

/** One line on stderr (and the error as JSON on stdout with --json). */
function report(ctx: Ctx, e: unknown): ExitCode {
  const code = exitCodeOf(e)
  const known = e instanceof CliError || e instanceof AppError
  const message = known ? (e as Error).message : `unexpected error: ${(e as Error)?.message ?? String(e)}`
  if (ctx.json) ctx.out.data({ error: { code: errorCodeOf(e), message, exit_code: code } })
  process.stderr.write(`kickmon: ${message.split('\n')[0]}\n`)
  if (!known && process.env.KICKMON_DEBUG) console.error(e)
  return code
}

const code = await main(process.argv.slice(2))
// Let stdout drain into a pipe before exiting.
await new Promise<void>((r) => (process.stdout.write('') ? r() : process.stdout.once('drain', () => r())))
process.exit(code)
