// ws-socket-cost: what one idle WebSocket costs a server, through Elysia's `.ws()` and through
// Bun's own `websocket` handler with a small `data` object (how the gateway serves its sockets,
// services/gateway/src/http/sockets.ts). Each way runs in a fresh server process with the same
// Elysia app around it; a separate client process opens the sockets and holds them idle; the
// server, after a full collection, reports its RSS and JS heap before and after.
//
//   bun bench/ws-socket-cost.ts [--sockets 1000] [--runs 3]
import { heapStats } from 'bun:jsc'
import { Elysia } from 'elysia'

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : d
}
type Mode = 'elysia-ws' | 'bun-handler'
type Sample = { rss: number; heap: number; objects: number }

async function settled(): Promise<Sample> {
  await Bun.sleep(500)
  Bun.gc(true)
  await Bun.sleep(500)
  Bun.gc(true)
  const h = heapStats()
  return { rss: process.memoryUsage().rss, heap: h.heapSize, objects: h.objectCount }
}

/** The server: the dashboard's shape (a check on the upgrade, a per-socket record in a Map), one way or the other. */
async function serve(mode: Mode, n: number) {
  const sockets = new Map<object, { user: number }>()
  let opened = 0
  const check = (req: Request) => {
    if (!req.headers.get('cookie')) throw new Error('log in first')
  }
  const done = async () => {
    const after = await settled()
    console.log(JSON.stringify({ type: 'result', mode, open: sockets.size, before, after }))
    process.exit(0)
  }
  const onOpen = (raw: object) => {
    sockets.set(raw, { user: 1 })
    if (++opened === n) void done()
  }
  let app
  if (mode === 'elysia-ws') {
    app = new Elysia().ws('/ws', {
      beforeHandle: ({ request }) => check(request),
      open: (ws) => onOpen(ws.raw),
      close: (ws) => void sockets.delete(ws.raw),
      message() {},
    })
    app.listen({ port: 0, hostname: '127.0.0.1' })
  } else {
    app = new Elysia().route('WS', '/ws', ({ request, server }) => {
      check(request)
      return server?.upgrade(request, { data: { kind: 'dashboard' as const, user: 1 } }) ? undefined : new Response('expected a WebSocket', { status: 400 })
    })
    app.listen({
      port: 0, hostname: '127.0.0.1',
      websocket: { open: (ws) => onOpen(ws), close: (ws) => void sockets.delete(ws), message() {} },
    })
  }
  const before = await settled()
  console.log(JSON.stringify({ type: 'ready', url: `ws://127.0.0.1:${app.server!.port}/ws` }))
}

/** The client: opens `n` sockets and holds them until killed. */
async function clients(url: string, n: number) {
  const held: WebSocket[] = []
  for (let i = 0; i < n; i += 50)
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { cookie: 'session=x' } } as never)
      ws.onopen = () => resolve()
      ws.onerror = () => reject(new Error('socket refused'))
      held.push(ws)
    })))
  await new Promise(() => {})
}

async function lines(stream: ReadableStream<Uint8Array>, on: (line: string) => boolean) {
  let buf = ''
  const reader = stream.getReader()
  const text = new TextDecoder()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buf += text.decode(value, { stream: true })
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (on(line)) return
    }
  }
}

async function measure(mode: Mode, n: number) {
  const server = Bun.spawn(['bun', import.meta.path, '--serve', mode, '--sockets', String(n)], { stdout: 'pipe', stderr: 'inherit' })
  let client: Bun.Subprocess | null = null
  let result: { before: Sample; after: Sample; open: number } | null = null
  await lines(server.stdout, (line) => {
    const m = JSON.parse(line)
    if (m.type === 'ready') client = Bun.spawn(['bun', import.meta.path, '--clients', m.url, '--sockets', String(n)], { stdout: 'inherit', stderr: 'inherit' })
    if (m.type === 'result') result = m
    return m.type === 'result'
  })
  ;(client as Bun.Subprocess | null)?.kill()
  server.kill()
  if (!result) throw new Error(`${mode}: the server reported nothing`)
  const r = result as { before: Sample; after: Sample; open: number }
  return {
    mode, sockets: r.open,
    'RSS per socket KB': Math.round((r.after.rss - r.before.rss) / n / 102.4) / 10,
    'JS heap per socket KB': Math.round((r.after.heap - r.before.heap) / n / 102.4) / 10,
    'JS objects per socket': Math.round((r.after.objects - r.before.objects) / n),
    'RSS with sockets MB': Math.round(r.after.rss / 104857.6) / 10,
  }
}

const i = process.argv.indexOf('--serve')
const c = process.argv.indexOf('--clients')
const n = arg('sockets', 1000)
if (i >= 0) await serve(process.argv[i + 1] as Mode, n)
else if (c >= 0) await clients(process.argv[c + 1]!, n)
else {
  const rows = []
  for (let run = 1; run <= arg('runs', 3); run++)
    for (const mode of ['elysia-ws', 'bun-handler'] as const) rows.push({ run, ...(await measure(mode, n)) })
  console.table(rows)
  console.log(`load average ${(await Bun.file('/proc/loadavg').text()).split(' ').slice(0, 3).join(' ')}`)
}
