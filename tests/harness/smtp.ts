import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// A real SMTP server for tests: Debian's aiosmtpd (python3-aiosmtpd, installed by
// scripts/bootstrap.sh) with its Mailbox handler writing every message it accepts to a
// maildir we read back.

export type TestSmtp = { url: string; port: number; messages: () => Promise<string[]>; stop: () => Promise<void> }

export async function startTestSmtp(): Promise<TestSmtp> {
  const dir = await mkdtemp(join(tmpdir(), 'kickmon-smtp-'))
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000)
    const proc = Bun.spawn(['/usr/bin/aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', join(dir, 'mail')], { stdout: 'ignore', stderr: 'pipe' })
    const deadline = Date.now() + 10_000
    let up = false
    while (Date.now() < deadline && proc.exitCode === null) {
      up = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } }).then((s) => (s.end(), true), () => false)
      if (up) break
      await Bun.sleep(100)
    }
    if (up) {
      return {
        url: `smtp://127.0.0.1:${port}`, port,
        messages: async () => {
          const out: string[] = []
          for (const sub of ['new', 'cur']) {
            const files = await readdir(join(dir, 'mail', sub)).catch(() => [] as string[])
            for (const f of files.sort()) out.push(await readFile(join(dir, 'mail', sub, f), 'utf8'))
          }
          return out
        },
        stop: async () => {
          proc.kill()
          await proc.exited
          await rm(dir, { recursive: true, force: true })
        },
      }
    }
    proc.kill()
    if (attempt >= 3) throw new Error(`aiosmtpd did not start: ${await new Response(proc.stderr).text()}`)
  }
}
