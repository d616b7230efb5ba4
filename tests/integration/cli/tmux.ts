import { eventually } from '../../harness/services.ts'

/**
 * A real terminal for the CLI: a detached tmux session on a private server socket (so
 * nobody else's tmux is touched). `screen()` is what a person would see right now.
 */
export class Terminal {
  private readonly socket = `kickmon-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`

  private async tmux(...args: string[]): Promise<string> {
    const p = Bun.spawn(['tmux', '-L', this.socket, ...args], { stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
    if (code !== 0) throw new Error(`tmux ${args[0]} failed: ${err.trim()}`)
    return out
  }

  /** Starts `command` (a shell line) in a width×height terminal with exactly `env`. */
  async start(command: string, o: { width: number; height: number; env: Record<string, string | undefined> }) {
    const envArgs = Object.entries(o.env).flatMap(([k, v]) => (v === undefined ? [] : ['-e', `${k}=${v}`]))
    // `remain-on-exit` keeps the pane (and what the program left on it) after it exits.
    await this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(o.width), '-y', String(o.height), ...envArgs, command)
    await this.tmux('set-option', '-t', 'main', 'remain-on-exit', 'on')
  }

  screen(opts: { escapes?: boolean } = {}): Promise<string> {
    return this.tmux('capture-pane', '-p', ...(opts.escapes ? ['-e'] : []), '-t', 'main')
  }

  keys(...keys: string[]) {
    return this.tmux('send-keys', '-t', 'main', ...keys)
  }

  /** Literal text, as if typed. */
  type(text: string) {
    return this.tmux('send-keys', '-t', 'main', '-l', text)
  }

  waitFor(test: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    return eventually(async () => {
      const s = await this.screen()
      return test(s) ? s : null
    }, timeoutMs, `${what}; the screen was:\n${'-'.repeat(40)}`).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await this.screen().catch(() => '?')}`)
    })
  }

  async paneDead(): Promise<{ dead: boolean; status: number | null }> {
    const out = (await this.tmux('display-message', '-p', '-t', 'main', '#{pane_dead} #{pane_dead_status}')).trim().split(' ')
    return { dead: out[0] === '1', status: out[1] ? Number(out[1]) : null }
  }

  async close() {
    await this.tmux('kill-server').catch(() => {})
  }
}
