import { createSign, generateKeyPairSync } from 'node:crypto'
import { jetstreamManager } from '@nats-io/jetstream'
import { z } from 'zod'
import { StreamerStatus } from '../../../shared/src/contracts/status.ts'
import { PollerApi } from '../../../shared/src/contracts/poller.ts'
import { request } from '../../../shared/src/rpc.ts'
import { WEBHOOKS_STREAM, subjects } from '../../../shared/src/contracts/names.ts'
import { startGateway } from '../../../services/gateway/src/gateway.ts'
import { startPoller, type PollerOptions } from '../../../services/poller/src/poller.ts'
import type { KickSimOptions } from '../../../services/kick-sim/src/sim.ts'
import { eventually, inProcess, testEnv } from '../../harness/services.ts'
import { SimFront } from './faults-kit.ts'

// The webhook path end to end, in this process: kick-sim → gateway /webhooks/kick →
// JetStream → poller, on a private PostgreSQL and nats-server.

/** `front`: the poller reaches kick-sim through a SimFront, which notes who was polled when. */
export type WebhookEnvOptions = { sim?: KickSimOptions; config?: Record<string, string>; poller?: PollerOptions; front?: boolean }

export async function webhookEnv(o: WebhookEnvOptions = {}) {
  const env = await testEnv({ channels: 6, ...o.sim })
  const front = o.front ? await SimFront.start(env.sim) : null
  const config = env.config({ ...(front ? { KICK_API_URL: front.url, KICK_AUTH_URL: front.url } : {}), ...o.config })
  const poller = await inProcess('poller', config, (ctx) => startPoller(ctx, { webhooks: { syncMs: 200, auditMs: 60_000, requestsPerSecond: 100 }, ...o.poller }))
  const gateway = await inProcess('gateway', config, (ctx) => startGateway(ctx))
  const webhookUrl = `http://127.0.0.1:${gateway.result.port}/webhooks/kick`
  env.sim.webhooks.url = webhookUrl
  const nc = poller.client
  const seen: StreamerStatus[] = []
  nc.subscribe(subjects.statusAll, {
    callback: (_e, m) => {
      seen.push(StreamerStatus.parse(m.json()))
    },
  })
  const sql = env.db.sql

  return {
    env, sim: env.sim, poller, gateway, nc, sql, seen, webhookUrl, front,
    handle: (req: Request) => gateway.result.app.handle(req),
    last: (slug: string) => seen.findLast((s) => s.slug === slug),
    /** Monitor `slug` and wait until Kick holds both subscriptions for it. */
    async add(slug: string, subscribed = true) {
      const r = await request(nc, PollerApi.add.subject, { slug }, PollerApi.add.output, { timeout: 15_000 })
      if (subscribed) {
        const uid = env.sim.world.get(slug)!.user_id
        await eventually(() => env.sim.subscriptions.list(undefined, uid).length === 2, 10_000, `both subscriptions for ${slug}`)
      }
      return r
    },
    /** Recorded events of a streamer, oldest first, as "type" strings. */
    async recorded(slug: string): Promise<string[]> {
      const rows = await sql<{ type: string }[]>`select e.type from status_events e join streamers s on s.id = e.streamer_id where s.slug = ${slug} order by e.at, e.recorded_at`
      return rows.map((r) => r.type)
    },
    async webhookMessages(): Promise<number> {
      const jsm = await jetstreamManager(nc)
      return (await jsm.streams.info(WEBHOOKS_STREAM)).state.messages
    },
    async destroy() {
      await gateway.stop()
      await poller.stop()
      await front?.down()
      await env.destroy()
    },
  }
}
export type WebhookEnv = Awaited<ReturnType<typeof webhookEnv>>

/** A key pair standing in for Kick's: kick-sim signs with it, tests can sign with it too. */
export function testSigningKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

let counter = 0
/** A delivery as Kick sends it: six headers, signed over `id.timestamp.body`. */
export function signedDelivery(
  privateKeyPem: string,
  o: { type?: string; body?: string | object; messageId?: string; timestamp?: string; url?: string; omit?: string; signWith?: string },
): Request {
  const body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body ?? {})
  const messageId = o.messageId ?? `01TEST${Date.now().toString(36).toUpperCase()}${(counter++).toString().padStart(6, '0')}`
  const timestamp = o.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
  const signature = createSign('RSA-SHA256').update(`${messageId}.${timestamp}.${body}`).sign(o.signWith ?? privateKeyPem, 'base64')
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'Kick-Event-Message-Id': messageId,
    'Kick-Event-Subscription-Id': '01JZ8Q4KX8VQ2M7N3R5T6W9Y0A',
    'Kick-Event-Signature': signature,
    'Kick-Event-Message-Timestamp': timestamp,
    'Kick-Event-Type': o.type ?? 'livestream.status.updated',
    'Kick-Event-Version': '1',
  }
  if (o.omit) delete headers[o.omit]
  return new Request(o.url ?? 'http://localhost/webhooks/kick', { method: 'POST', headers, body })
}

/** A `livestream.status.updated` body for a kick-sim channel. */
export function statusBody(ch: { user_id: number; slug: string; username: string }, live: boolean, startedAt: string, title = 'a title') {
  return {
    broadcaster: { is_anonymous: false, user_id: ch.user_id, username: ch.username, is_verified: false, profile_picture: null, channel_slug: ch.slug, identity: null },
    is_live: live, title, started_at: startedAt, ended_at: live ? null : new Date().toISOString(),
  }
}

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
