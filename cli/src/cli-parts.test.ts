import { describe, expect, test } from 'bun:test'
import { z } from 'zod'
import { flag, intOption, parseArgv, parsePositionals } from './args.ts'
import { command } from './command.ts'
import { CliError } from './exit-codes.ts'
import { duration, parseDuration } from './format.ts'
import { parseImport } from './import-file.ts'
import { progress } from './progress.ts'
import { truncate } from './text.ts'

describe('argument parsing', () => {
  const defs = { limit: intOption('n', 'how many', 1, 10, 5), live: flag('only live', 'l'), name: { schema: z.string().optional(), value: 'x', help: 'a name' } }

  test('--name value, --name=value, short flags, defaults and -- all work', () => {
    expect(parseArgv(['a', '--limit', '7', '-l', '--name=x=y', '--', '--not-an-option'], defs, 'w')).toEqual({
      opts: { limit: 7, live: true, name: 'x=y' },
      positionals: ['a', '--not-an-option'],
    })
    expect(parseArgv([], defs, 'w').opts).toEqual({ limit: 5, live: false, name: undefined })
    expect(parseArgv(['-'], defs, 'w').positionals).toEqual(['-'])
  })

  test('mistakes are usage errors (exit 2) that say what is wrong', () => {
    const err = (argv: string[]) => {
      try {
        parseArgv(argv, defs, 'w')
      } catch (e) {
        expect(e).toBeInstanceOf(CliError)
        expect((e as CliError).exitCode).toBe(2)
        return (e as Error).message
      }
      throw new Error('no error')
    }
    expect(err(['--limit', '0'])).toBe('--limit: must be a whole number from 1 to 10')
    expect(err(['--limit', '2.5'])).toBe('--limit: must be a whole number from 1 to 10')
    expect(err(['--limit'])).toBe('--limit needs a value: --limit <n>')
    expect(err(['--live=yes'])).toBe('--live is a flag and takes no value')
    expect(err(['--nope'])).toBe('unknown option --nope for "w" (see "kickmon w --help")')
    expect(err(['--password', 'x'])).toContain('a secret on the command line ends up in shell history')
  })

  test('positionals are counted against the usage line, then validated', () => {
    const c = command({ name: 'x', summary: '', usage: '<user> [slug...]', options: {}, args: z.tuple([z.string()], z.string().regex(/^[a-z]+$/, 'lowercase only')), examples: [], run: async () => {} })
    expect(parsePositionals(c, ['bob', 'a', 'b'], 'x')).toEqual(['bob', 'a', 'b'])
    expect(() => parsePositionals(c, [], 'x')).toThrow('missing <user>: kickmon x <user> [slug...]')
    expect(() => parsePositionals(c, ['bob', 'ok', 'NO'], 'x')).toThrow('<slug> "NO": lowercase only')
  })
})

describe('import files', () => {
  test('slugs per line or separated by commas or spaces, kick.com URLs, comments, duplicates and bad names', () => {
    const r = parseImport('# roster\nxqc, Amouranth\nhttps://kick.com/trainwreckstv?ref=1\nwww.kick.com/xqc  # again\nbad!name\n\n')
    expect(r.slugs).toEqual(['xqc', 'amouranth', 'trainwreckstv'])
    expect(r.invalid).toEqual([{ line: 5, value: 'bad!name', error: expect.stringContaining('a Kick slug') }])
  })

  test('a JSON array of slugs or {slug} objects', () => {
    expect(parseImport('["xqc", {"slug": "Amouranth"}, 7]')).toEqual({ slugs: ['xqc', 'amouranth'], invalid: [{ line: 3, value: '7', error: 'expected a slug string or {"slug": "…"}' }] })
    expect(() => parseImport('[not json')).toThrow('not valid JSON')
  })
})

describe('progress bar and formats', () => {
  test('draws on a terminal, in place, and clears itself; nothing at all otherwise', () => {
    let written = ''
    const tty = { isTTY: true, columns: 60, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream
    const bar = progress(2, 'importing', tty)
    bar.tick('xqc')
    bar.tick('amouranth')
    bar.done()
    expect(written).toContain('\rimporting [')
    expect(written).toContain('100% 2/2 amouranth')
    expect(written.endsWith('\r\x1b[K')).toBe(true)
    let piped = ''
    const pipe = { isTTY: false, write: (s: string) => ((piped += s), true) } as unknown as NodeJS.WriteStream
    const quiet = progress(2, 'importing', pipe)
    quiet.tick()
    quiet.done()
    expect(piped).toBe('')
  })

  test('durations and truncation', () => {
    expect([duration(42), duration(303), duration(7500), duration(273_600)]).toEqual(['42s', '5m 03s', '2h 05m', '3d 04h'])
    expect([parseDuration('90s'), parseDuration('6h'), parseDuration('2w')]).toEqual([90, 21_600, null])
    expect(truncate('hello world', 8)).toBe('hello w…')
    expect(truncate('日本語テキスト', 7)).toBe('日本語…')
  })
})
