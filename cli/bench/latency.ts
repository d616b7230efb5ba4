// CLI and watch figures (docs/cli.md cites them). Run: bun cli/bench/latency.ts
// Percentiles over repeated runs on whatever machine this is; nothing here is a pass/fail.
import { connectAs, natsEnv } from '../../tests/harness/nats-auth.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { unknownStatus, type StreamerStatus } from '../../shared/src/contracts/status.ts'
import { subjects } from '../../shared/src/contracts/names.ts'
import { freePort } from '../../scripts/infra/ports.ts'
import { percentile } from '../../bench/lib/stats.ts'
import { testStack } from '../../tests/harness/stack.ts'
import { styles } from '../src/text.ts'
import { Board } from '../src/watch/board.ts'
import { renderFrame } from '../src/watch/render.ts'
import { Screen } from '../src/watch/screen.ts'

const ROOT = join(import.meta.dir, '..', '..')
const ENTRY = join(ROOT, 'cli', 'src', 'main.ts')
const fmt = (xs: number[]) => `p50 ${percentile(xs, 50)!.toFixed(1)} ms, p99 ${percentile(xs, 99)!.toFixed(1)} ms (n=${xs.length})`

async function timeRuns(argv: string[], env: Record<string, string>, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    const p = Bun.spawn(argv, { env: { PATH: process.env.PATH!, ...env }, stdout: 'ignore', stderr: 'ignore' })
    await p.exited
    out.push(performance.now() - t0)
  }
  return out
}

// 1. Start-up and a failing NATS.
const bin = join(mkdtempSync(join(tmpdir(), 'kickmon-bench-')), 'kickmon')
await Bun.spawn(['bash', join(ROOT, 'scripts', 'build-cli.sh'), bin], { cwd: ROOT, stdout: 'ignore' }).exited
const dead = `nats://127.0.0.1:${await freePort()}`
console.log(`kickmon --version (bun cli/src/main.ts):  ${fmt(await timeRuns([process.execPath, ENTRY, '--version'], {}, 30))}`)
console.log(`kickmon --version (compiled binary):      ${fmt(await timeRuns([bin, '--version'], {}, 30))}`)
console.log(`NATS down → exit 4 (streamers list):      ${fmt(await timeRuns([process.execPath, ENTRY, 'streamers', 'list'], { NATS_URL: dead }, 20))}`)

// 2. Against a stack with 200 streamers.
const stack = await testStack({ services: ['auth', 'poller'], sim: { channels: 200, activity: false }, env: { LOG_LEVEL: 'warn' } })
try {
  // The CLI connects as the operator, with that identity's key (nats-server runs with authentication on).
  const env = { NATS_URL: stack.env.NATS_URL!, POLLER_PORT: stack.env.POLLER_PORT!, AUTH_PORT: stack.env.AUTH_PORT!, GATEWAY_PORT: stack.env.GATEWAY_PORT!, ...natsEnv('operator') }
  const channels = (await (await fetch(`${stack.simUrl}/_sim/channels`)).json()) as { slug: string }[]
  const t0 = performance.now()
  const imp = Bun.spawn([process.execPath, ENTRY, 'streamers', 'import', '-'], { env: { PATH: process.env.PATH!, ...env }, stdin: new Blob([channels.map((c) => c.slug).join('\n')]), stdout: 'pipe' })
  await imp.exited
  console.log(`streamers import of ${channels.length} slugs:            ${((performance.now() - t0) / 1000).toFixed(1)} s (${(await new Response(imp.stdout).text()).trim()})`)
  console.log(`streamers list --json (200 streamers):    ${fmt(await timeRuns([process.execPath, ENTRY, 'streamers', 'list', '--json'], env, 20))}`)
  console.log(`status (poller, auth up; gateway down):   ${fmt(await timeRuns([process.execPath, ENTRY, 'status'], env, 10))}`)

  // 3. watch through a pipe: a status published on kick.status.<slug> → its line on stdout.
  const watch = Bun.spawn([process.execPath, ENTRY, 'watch', '--plain'], { env: { PATH: process.env.PATH!, ...env }, stdout: 'pipe', stderr: 'ignore' })
  const reader = watch.stdout.getReader()
  const dec = new TextDecoder()
  let buf = ''
  const nextLine = async (match: string) => {
    for (;;) {
      const i = buf.indexOf('\n')
      if (i >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        if (line.includes(match)) return line
        continue
      }
      const { value, done } = await reader.read()
      if (done) throw new Error('watch ended')
      buf += dec.decode(value, { stream: true })
    }
  }
  await nextLine(channels.at(-1)!.slug) // the snapshot is out
  const nc = await connectAs(stack.nats.url, 'operator')
  const lat: number[] = []
  for (let i = 1; i <= 300; i++) {
    const s: StreamerStatus = { ...unknownStatus('bench-watch'), stale: false, live: true, viewers: i, started_at: new Date().toISOString(), checked_at: new Date().toISOString() }
    const t = performance.now()
    nc.publish(subjects.status(s.slug), JSON.stringify(s))
    await nextLine(i === 1 ? 'bench-watch LIVE' : `→ ${i}`)
    lat.push(performance.now() - t)
  }
  console.log(`watch: kick.status publish → line printed: ${fmt(lat.slice(10))}`)
  watch.kill()
  await nc.close()
} finally {
  await stack.destroy()
}

// 4. The full-screen table: cost of a frame and bytes written when one viewer count changes.
const board = new Board()
const T = Date.now()
for (let i = 0; i < 1000; i++)
  board.apply({ ...unknownStatus(`streamer${i}`), stale: false, live: i % 3 === 0, viewers: i * 7, title: `title ${i}`, started_at: new Date(T - i * 1000).toISOString(), checked_at: new Date(T).toISOString(), category: { id: 1, name: 'Just Chatting' } }, T, false)
const renderMs: number[] = []
for (let i = 0; i < 200; i++) {
  const t = performance.now()
  renderFrame(board, { width: 160, height: 50, now: T, connection: 'connected', scroll: 0, s: styles(true) })
  renderMs.push(performance.now() - t)
}
console.log(`watch: render a 160×50 frame of 1000 streamers: ${fmt(renderMs)}`)
let written = 0
const sink = { fd: 1, columns: 160, rows: 50 }
const screen = new Screen(sink as never)
;(screen as unknown as { write: (s: string) => void }).write = (s: string) => void (written += Buffer.byteLength(s))
const draw = () => screen.draw(renderFrame(board, { width: 160, height: 50, now: T, connection: 'connected', scroll: 0, s: styles(true) }).lines)
draw()
const full = written
written = 0
const top = board.sorted()[0]!.status
board.apply({ ...top, viewers: (top.viewers ?? 0) + 1, checked_at: new Date(T + 1000).toISOString() }, T + 1000)
draw()
console.log(`watch: bytes written, first frame ${full}, after one viewer change ${written} (${((written / full) * 100).toFixed(1)}% of a full redraw)`)
rmSync(dirname(bin), { recursive: true, force: true })
process.exit(0)
