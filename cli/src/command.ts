import type { z } from 'zod'
import type { Ctx } from './context.ts'
import type { ExitCode } from './exit-codes.ts'

/** An option: `value` names its argument (`--limit <n>`); without it the option is a flag. */
export type OptionDef = { schema: z.ZodType; help: string; value?: string; short?: string }
export type OptionDefs = Record<string, OptionDef>
export type OptionValues<D extends OptionDefs> = { [K in keyof D]: z.output<D[K]['schema']> }

export type Command<D extends OptionDefs = OptionDefs, A extends z.ZodType = z.ZodType> = {
  name: string
  summary: string
  /** Positionals as shown in help: `<x>` required, `[x]` optional, `<x...>`/`[x...]` repeated. */
  usage: string
  description?: string
  options: D
  /** Validates the positionals (an array of strings) after their count was checked. */
  args: A
  examples: string[]
  run: (ctx: Ctx, opts: OptionValues<D>, args: z.output<A>) => Promise<ExitCode | void>
}

export type Group = {
  name: string
  summary: string
  description?: string
  commands: Command<any, any>[]
  /** `status` and `watch` have no sub-commands: the group runs its only command. */
  single?: boolean
}

export const command = <D extends OptionDefs, A extends z.ZodType>(c: Command<D, A>): Command<D, A> => c

/** `--display-name` for the option key `displayName`. */
export const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
