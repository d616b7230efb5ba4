import type { NatsConnection } from '@nats-io/transport-node'
import type { StreamerStatus } from '@kickmon/shared/contracts/status'
import { flag, noArgs } from '../args.ts'
import { command, type Group } from '../command.ts'
import type { Ctx } from '../context.ts'
import { describeChange, type Change } from '../describe.ts'
import { Exit } from '../exit-codes.ts'
import { clock } from '../format.ts'
import { Board } from '../watch/board.ts'
import { startFeed } from '../watch/feed.ts'
import { renderFrame } from '../watch/render.ts'
import { keysOf, Screen } from '../watch/screen.ts'

/** Resolves on SIGINT/SIGTERM/SIGHUP (and, on a terminal, on q or Ctrl-C). */
function untilStopped(extra?: (stop: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => resolve()
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, stop)
    extra?.(stop)
  })
}

async function fullScreen(ctx: Ctx, nc: NatsConnection) {
  const board = new Board()
  const screen = new Screen(process.stdout)
  let connection: 'loading' | 'connected' | 'reconnecting' = 'loading'
  let scroll = 0
  let initial = true
  const touched = new Map<string, number>()
  const draw = () => {
    const { width, height } = screen.size
    const frame = renderFrame(board, { width, height, now: Date.now(), connection, scroll, s: ctx.out.s })
    scroll = frame.scroll
    screen.draw(frame.lines)
  }
  let scheduled: Timer | null = null
  // Bursts of changes (a whole fleet going live) become one frame.
  const schedule = () => void (scheduled ??= setTimeout(() => ((scheduled = null), draw()), 30))

  process.on('exit', () => screen.leave())
  screen.enter()
  draw()
  const feed = await startFeed(nc, {
    status: (s) => {
      touched.set(s.slug, Date.now())
      if (board.apply(s, Date.now(), !initial)) schedule()
    },
    removed: (slug) => board.remove(slug) && schedule(),
    snapshot: (slugs) => {
      // Removed while we were disconnected (unless a reading arrived since).
      if (slugs) for (const slug of board.slugs()) if (!slugs.has(slug) && Date.now() - (touched.get(slug) ?? 0) > 5000) board.remove(slug)
      initial = false
      connection = 'connected'
      schedule()
    },
    connection: (c) => {
      connection = c
      schedule()
    },
  })
  const tick = setInterval(draw, 1000) // the clock, durations, and highlights fading out
  const onResize = () => (screen.invalidate(), draw())
  process.stdout.on('resize', onResize)
  const stdin = process.stdin
  await untilStopped((stop) => {
    if (!stdin.isTTY) return
    stdin.setRawMode(true)
    stdin.resume()
    stdin.on('data', (chunk: Buffer) => {
      const page = Math.max(1, screen.size.height - 5)
      for (const k of keysOf(chunk.toString('utf8'))) {
        if (k === 'quit') return stop()
        scroll = k === 'up' ? scroll - 1 : k === 'down' ? scroll + 1 : k === 'pageup' ? scroll - page : k === 'pagedown' ? scroll + page : k === 'home' ? 0 : board.size
      }
      draw()
    })
  })
  clearInterval(tick)
  if (scheduled) clearTimeout(scheduled)
  process.stdout.off('resize', onResize)
  feed.stop()
  if (stdin.isTTY) {
    stdin.setRawMode(false)
    stdin.pause()
  }
  screen.leave()
}

/** Without a terminal: one line per change (or one JSON object per line with --json). */
async function lines(ctx: Ctx, nc: NatsConnection) {
  const board = new Board()
  let initial = true
  process.stdout.on('error', () => process.exit(Exit.OK)) // the reader went away (`| head`)
  const emit = (kind: 'snapshot' | 'change' | 'removed', s: StreamerStatus, prev: StreamerStatus | undefined, what: Change[]) => {
    if (ctx.json) ctx.out.line(JSON.stringify({ at: new Date().toISOString(), kind, slug: s.slug, changes: what, status: s }))
    else ctx.out.line(`${clock()} ${s.slug} ${describeChange(prev, s, what)}`)
  }
  const pendingSnapshot: StreamerStatus[] = []
  const feed = await startFeed(nc, {
    status: (s) => {
      const r = board.apply(s)
      if (!r) return
      if (initial) pendingSnapshot.push(s)
      else emit('change', s, r.prev, r.what)
    },
    removed: (slug) => {
      const s = board.remove(slug)
      if (s) emit('removed', s, s, ['removed'])
    },
    snapshot: (_slugs, error) => {
      if (error) ctx.out.note(`${clock()} could not read the current status (${error}); showing changes as they come`)
      if (!initial) return
      initial = false
      // The snapshot in the same order as the screen: live first.
      for (const row of board.sorted()) if (pendingSnapshot.includes(row.status)) emit('snapshot', row.status, undefined, ['new'])
      if (!ctx.json) ctx.out.note(`${clock()} watching ${board.size} streamers; one line per change (Ctrl-C stops)`)
    },
    connection: (c) => ctx.out.note(`${clock()} ${c === 'connected' ? 'NATS reconnected; re-reading the current status' : 'NATS connection lost; reconnecting…'}`),
  })
  await untilStopped()
  feed.stop()
}

const watch = command({
  name: 'watch',
  summary: 'live table of every streamer, updated as changes happen',
  usage: '',
  description:
    'On a terminal: a full-screen table, live streamers first, with changes highlighted as they arrive;\n' +
    'q or Ctrl-C quits, arrows and PgUp/PgDn scroll. Otherwise (a pipe, a file, --plain): the current\n' +
    'state, then one line per change; with --json one JSON object per line. Keeps going through NATS\n' +
    'outages (it reconnects and re-reads the current state).',
  options: { plain: flag('one line per change even on a terminal') },
  args: noArgs,
  examples: ['kickmon watch', 'kickmon watch --plain | grep --line-buffered "went live"', "kickmon watch --json | jq -c 'select(.changes | index(\"live\"))'"],
  run: async (ctx, o) => {
    const nc = await ctx.nats({ reconnect: true })
    if (process.stdout.isTTY && !o.plain && !ctx.json) await fullScreen(ctx, nc)
    else await lines(ctx, nc)
    return Exit.OK
  },
})

export const watchGroup: Group = { name: 'watch', summary: watch.summary, commands: [watch], single: true }
