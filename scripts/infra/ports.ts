import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/**
 * Where the kernel's range for the local ports of outgoing connections starts. A port from `listen(0)` is in
 * this range too, so between our check and the service's bind any outgoing connection (a
 * database or NATS client) could take it as its own, and the service then cannot listen for as
 * long as that connection lives. Ports are therefore picked below it.
 */
function ephemeralStart(): number {
  try {
    const lo = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    if (lo > 0) return lo
  } catch {}
  return 32768
}

/** Listens on 127.0.0.1:`port` and closes again: the port (0: the kernel's pick) or null when taken. */
function tryPort(port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' || e.code === 'EACCES' ? resolve(null) : reject(e)))
    srv.listen(port, '127.0.0.1', () => {
      const { port: got } = srv.address() as { port: number }
      srv.close(() => resolve(got))
    })
  })
}

/** Ports this process has handed out: a port is free until its service binds it, so never twice. */
const given = new Set<number>()

/** A TCP port free right now on 127.0.0.1, outside the range outgoing connections take theirs from. */
export async function freePort(): Promise<number> {
  const [from, to] = [10_000, ephemeralStart() - 1]
  if (to - from >= 1000)
    for (let i = 0; i < 50; i++) {
      const port = from + Math.floor(Math.random() * (to - from + 1))
      if (given.has(port)) continue
      given.add(port)
      if (await tryPort(port)) return port
    }
  // No room below the range (or all tried were taken): the kernel's pick.
  return (await tryPort(0))!
}

/** Resolves once something accepts TCP connections on host:port. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      Bun.connect({ hostname: host, port, socket: { open: (s) => (s.end(), resolve(true)), data() {}, error: () => resolve(false), connectError: () => resolve(false) } }).catch(() => resolve(false))
    })
    if (ok) return
    await Bun.sleep(50)
  }
  throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`)
}
