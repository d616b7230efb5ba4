// What the simulators received, for the demo page, the tests and the bench.

export type Provider = 'discord' | 'telegram' | 'ntfy' | 'slack' | 'receiver'

export type Received = {
  seq: number
  provider: Provider
  /** ms since epoch when the request arrived (the bench's "first byte at the provider"). */
  at: number
  method: string
  path: string
  /** Where it went: webhook id, chat id, topic, hook, receiver name. */
  target: string
  /** The provider's message id, when the request created or edited one. */
  message_id: string | null
  kind: 'create' | 'edit' | 'delete' | 'other'
  status: number
  headers: Record<string, string>
  body: unknown
}

export class Inbox {
  private seq = 0
  readonly items: Received[] = []
  private listeners = new Set<(r: Received) => void>()

  add(r: Omit<Received, 'seq'>) {
    const item = { ...r, seq: ++this.seq }
    this.items.push(item)
    if (this.items.length > 50_000) this.items.shift()
    for (const l of this.listeners) l(item)
    return item
  }

  on(l: (r: Received) => void) {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  clear() {
    this.items.length = 0
  }
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

export const headersOf = (req: Request): Record<string, string> => {
  const out: Record<string, string> = {}
  req.headers.forEach((v, k) => (out[k.toLowerCase()] = v))
  return out
}

export async function readJson(req: Request): Promise<{ ok: true; value: any } | { ok: false }> {
  try {
    return { ok: true, value: JSON.parse(await req.text()) }
  } catch {
    return { ok: false }
  }
}

/** A Discord-style snowflake: ms since 2015 shifted left 22, plus a counter. */
let inc = 0
export const snowflake = () => ((BigInt(Date.now() - 1420070400000) << 22n) | BigInt(inc++ & 0xfff)).toString()
