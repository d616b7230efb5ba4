import type { Subprocess } from 'bun'

// Client processes a benchmark drives over IPC, so the clients' CPU is neither the
// benchmark's nor the server's. Each child sends `{ type: 'hello' }` once it listens, then
// answers every request sent with `ask` with one reply, in order; `{ type: 'error', message }`
// rejects that request.

type Message = { type: string }

/** Runs the benchmark, or, in a process started with --client-mode (see ClientProcs.ofThisScript), its clients. */
export async function benchOrClients(bench: () => Promise<void>, clients: () => void | Promise<void>) {
  if (process.argv.includes('--client-mode')) return clients()
  await bench()
  process.exit(0)
}

class Child<Req extends Message, Reply extends Message> {
  private waiters: ((m: Reply) => void)[] = []
  readonly hello = Promise.withResolvers<void>()
  readonly proc: Subprocess

  constructor(argv: string[]) {
    this.proc = Bun.spawn(argv, {
      stdin: 'ignore',
      stdout: 'inherit',
      stderr: 'inherit',
      ipc: (m: Reply) => (m.type === 'hello' ? this.hello.resolve() : this.waiters.shift()?.(m)),
    })
  }

  ask(m: Req, timeoutMs: number): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`client process did not answer ${m.type} in ${timeoutMs} ms`)), timeoutMs)
      this.waiters.push((r) => {
        clearTimeout(t)
        if (r.type === 'error') reject(new Error(`client process: ${(r as Message & { message?: string }).message}`))
        else resolve(r)
      })
      this.proc.send(m)
    })
  }
}

export class ClientProcs<Req extends Message, Reply extends Message> {
  private constructor(private readonly children: Child<Req, Reply>[]) {}

  /** `count` processes running `argv`; resolves once every one has said hello. */
  static async spawn<Req extends Message, Reply extends Message>(argv: string[], count: number): Promise<ClientProcs<Req, Reply>> {
    const children = Array.from({ length: count }, () => new Child<Req, Reply>(argv))
    await Promise.all(children.map((c) => c.hello.promise))
    return new ClientProcs(children)
  }

  /** `count` processes running this benchmark's own file with --client-mode (benchOrClients). */
  static ofThisScript<Req extends Message, Reply extends Message>(count: number): Promise<ClientProcs<Req, Reply>> {
    return ClientProcs.spawn(['bun', Bun.main, '--client-mode'], count)
  }

  get pids(): number[] {
    return this.children.map((c) => c.proc.pid)
  }

  /** Process i's part of `total` clients: an even split, the first ones taking the remainder. */
  share(i: number, total: number): number {
    const n = this.children.length
    return Math.floor(total / n) + (i < total % n ? 1 : 0)
  }

  /** One request to every process (`m(i)`: each its own); every reply, which must be of type `expect`. */
  async askAll<T extends Reply['type']>(m: Req | ((i: number) => Req), expect: T, timeoutMs = 330_000): Promise<Extract<Reply, { type: T }>[]> {
    const replies = await Promise.all(this.children.map((c, i) => c.ask(typeof m === 'function' ? m(i) : m, timeoutMs)))
    const odd = replies.find((r) => r.type !== expect)
    if (odd) throw new Error(`client process answered ${odd.type} where ${expect} was due`)
    return replies as Extract<Reply, { type: T }>[]
  }

  /** A message that wants no answer, to every process. */
  tell(m: Req) {
    for (const c of this.children) c.proc.send(m)
  }

  /** Kills every process and waits until they are gone. */
  async kill() {
    for (const c of this.children) c.proc.kill()
    await Promise.all(this.children.map((c) => c.proc.exited))
  }

  /** Asks each process to end with `bye` (answered before it exits), killing what is left after 10 s. */
  async stop(bye: Req) {
    await Promise.all(
      this.children.map(async (c) => {
        await c.ask(bye, 10_000).catch(() => {})
        const t = setTimeout(() => c.proc.kill(), 10_000)
        await c.proc.exited
        clearTimeout(t)
      }),
    )
  }
}
