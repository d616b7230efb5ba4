import { CliError, Exit, usage } from './exit-codes.ts'

// Passwords and secret values come from stdin or a prompt that does not echo, never from
// the command line (which lands in shell history and `ps`).

export async function readStdinText(): Promise<string> {
  return await Bun.stdin.text()
}

/** The whole of stdin, minus one trailing newline (what `echo pw |` and `printf pw` both mean). */
export async function secretFromStdin(what: string): Promise<string> {
  const text = (await readStdinText()).replace(/\r?\n$/, '')
  if (!text) throw new CliError(Exit.REJECTED, `no ${what} on stdin`)
  return text
}

export async function secretFromPrompt(what: string, confirm: boolean): Promise<string> {
  if (!process.stdin.isTTY) throw usage(`no terminal to ask for the ${what}: pipe it in with --${what === 'password' ? 'password' : 'value'}-stdin`)
  const first = await prompt(`${what[0]!.toUpperCase()}${what.slice(1)}: `)
  if (!first) throw new CliError(Exit.REJECTED, `the ${what} must not be empty`)
  if (confirm && (await prompt(`Again, to confirm: `)) !== first) throw new CliError(Exit.REJECTED, `the two ${what}s did not match; nothing was changed`)
  return first
}

export const readSecret = (what: string, fromStdin: boolean, confirm: boolean) => (fromStdin ? secretFromStdin(what) : secretFromPrompt(what, confirm))

/** Reads one line from the terminal in raw mode without echoing it. Ctrl-C aborts. */
function prompt(label: string): Promise<string> {
  const stdin = process.stdin
  process.stderr.write(label)
  return new Promise((resolve, reject) => {
    let value = ''
    const finish = (err?: Error) => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
      if (err) reject(err)
      else resolve(value)
    }
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish()
        if (ch === '\u0003') return finish(new CliError(Exit.INTERRUPTED, 'interrupted; nothing was changed'))
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('')
        else if (ch >= ' ') value += ch
      }
    }
    stdin.setRawMode(true)
    stdin.resume()
    stdin.on('data', onData)
  })
}
