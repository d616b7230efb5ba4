import type { NatsConnection } from '@nats-io/transport-node'
import type { z } from 'zod'
import { request } from '@kickmon/shared/rpc'
import { adminSubject } from '@kickmon/shared/contracts/auth-internal'
import { readEnv, type CliEnv } from './env.ts'
import { connectCli } from './nats.ts'
import { Output, type Writer } from './output.ts'

type Api = { subject: string; input: z.ZodType; output: z.ZodType }

export type CtxOptions = { json: boolean; color: boolean; stdout: Writer; stderr: Writer; env?: Record<string, string | undefined> }

/** What a command gets: output, environment, and a NATS connection made on first use. */
export class Ctx {
  readonly out: Output
  readonly json: boolean
  /** One id per invocation, sent as x-request-id so service logs can be matched to it. */
  readonly requestId = `cli-${crypto.randomUUID()}`
  private envCache: CliEnv | null = null
  private nc: Promise<NatsConnection> | null = null

  constructor(private readonly o: CtxOptions) {
    this.json = o.json
    this.out = new Output(o.json, o.stdout, o.stderr, o.color)
  }

  get env(): CliEnv {
    return (this.envCache ??= readEnv(this.o.env))
  }

  get stdoutIsTTY() {
    return this.o.stdout.isTTY
  }

  nats(opts: { reconnect?: boolean } = {}): Promise<NatsConnection> {
    this.nc ??= connectCli(this.env.NATS_URL, { ...opts, creds: this.env })
    return this.nc
  }

  /** Calls a service endpoint of a shared contract (`PollerApi.get`, `AuthApi.usersList`…). */
  async call<A extends Api>(api: A, input: z.input<A['input']>, opts: { timeout?: number } = {}): Promise<z.output<A['output']>> {
    const nc = await this.nats()
    // The operator acts as a system actor, which auth accepts only on auth.admin.* (docs/auth.md).
    const actor = (input as { actor?: object } | null)?.actor
    const subject = actor && 'system' in actor ? adminSubject(api.subject) : api.subject
    return (await request(nc, subject, input, api.output, { timeout: opts.timeout, requestId: this.requestId })) as z.output<A['output']>
  }

  async close() {
    const p = this.nc
    this.nc = null
    if (!p) return
    const nc = await p.catch(() => null)
    await nc?.close().catch(() => {})
  }
}
