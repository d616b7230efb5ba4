// A WebSocket upgrade as raw HTTP/1.1, so a test sees the server's answer itself (status,
// headers, body) rather than the bare "failed" a WebSocket client reports for a refusal.

export type UpgradeAnswer = { status: number; headers: Headers; body: string }

/** Sends a WebSocket upgrade for `path` to `base` (http://host:port) and returns the answer's head and body; a 101 is closed at once. */
export async function upgradeAnswer(base: string, path: string, headers: Record<string, string> = {}, timeoutMs = 5_000): Promise<UpgradeAnswer> {
  const url = new URL(base)
  const lines = [
    `GET ${path} HTTP/1.1`, `Host: ${url.host}`, 'Upgrade: websocket', 'Connection: Upgrade',
    `Sec-WebSocket-Key: ${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')}`, 'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ]
  let raw = ''
  const { promise, resolve, reject } = Promise.withResolvers<UpgradeAnswer>()
  const parse = (final: boolean) => {
    const end = raw.indexOf('\r\n\r\n')
    if (end < 0) return final ? reject(new Error(`no complete answer: ${JSON.stringify(raw.slice(0, 200))}`)) : undefined
    const [statusLine, ...rest] = raw.slice(0, end).split('\r\n')
    const h = new Headers(rest.map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]))
    const status = Number(statusLine!.split(' ')[1])
    const body = raw.slice(end + 4)
    const length = Number(h.get('content-length') ?? NaN)
    // A 101 has no body; a refusal's body is complete once its length is in (or the server closed).
    if (status === 101 || final || (Number.isFinite(length) && Buffer.byteLength(body) >= length)) resolve({ status, headers: h, body })
  }
  const socket = await Bun.connect({
    hostname: url.hostname, port: Number(url.port),
    socket: {
      data(_s, chunk) {
        raw += chunk.toString()
        parse(false)
      },
      close() {
        parse(true)
      },
      error(_s, e) {
        reject(e)
      },
    },
  })
  socket.write(lines.join('\r\n') + '\r\n\r\n')
  const timer = setTimeout(() => reject(new Error(`no answer to the upgrade of ${path} within ${timeoutMs} ms`)), timeoutMs)
  try {
    return await promise
  } finally {
    clearTimeout(timer)
    socket.end()
  }
}
