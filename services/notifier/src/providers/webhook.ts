import { randomBytes } from 'node:crypto'
import { lazyImport } from '@kickmon/shared/lazy'
import { safeFetch } from '../safe-fetch.ts'
import type { Notice } from '../notice.ts'
import { classify, networkFailure, readAnswer } from './http-result.ts'
import type { Provider } from './types.ts'

// Any URL, sent JSON events signed per Standard Webhooks (https://www.standardwebhooks.com):
// `webhook-id` (the same on every retry of one delivery, so receivers can de-duplicate),
// `webhook-timestamp` (seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
// id.timestamp.body>` with the channel's `whsec_…` secret.

// Loaded on the first webhook sent (docs/performance.md, "memory").
const standardWebhooks = lazyImport('standardwebhooks', 'signing webhook deliveries', () => import('standardwebhooks'))

/** A fresh signing secret: `whsec_` + 32 random bytes in base64 (shown once, at creation). */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`

export function webhookPayload(n: Notice) {
  const type = n.event.type === 'test' ? 'test.ping' : `stream.${n.event.type}`
  return {
    type,
    timestamp: n.event.at,
    data: {
      event_id: n.event.id,
      streamer: { slug: n.streamer.slug, username: n.streamer.username, url: n.streamer.url },
      stream: { started_at: n.stream.started_at, title: n.stream.title, category: n.stream.category, viewers: n.stream.viewers },
      ...(n.previous && (n.event.type === 'title' || n.event.type === 'category') ? { previous: n.previous } : {}),
      ...(n.summary ? { summary: { duration_s: n.summary.duration_s, peak_viewers: n.summary.peak_viewers, peak_at: n.summary.peak_at, avg_viewers: n.summary.avg_viewers } } : {}),
    },
  }
}

export const webhook: Provider = {
  edits: false,
  async send(cfg, out, env) {
    const body = JSON.stringify(webhookPayload(out.notice))
    const now = new Date()
    const signature = new (await standardWebhooks()).Webhook(cfg.signing_secret).sign(out.messageId, now, body)
    try {
      out.onRequest?.()
      const res = await safeFetch(cfg.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'kickmon-notifier/0.1',
          'webhook-id': out.messageId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
      }, env.policy('webhook'))
      const r = classify(res, await readAnswer(res))
      // 410 Gone: the receiver says this endpoint is retired (the convention Standard Webhooks follows).
      if (res.status === 410) return { ...r, permanent: true, broken: 'the endpoint answered 410 Gone' }
      // Any other refusal may be a receiver having a bad moment: retried with back-off.
      if (!r.ok && r.permanent) return { ...r, permanent: false }
      return r
    } catch (e) {
      return networkFailure(e)
    }
  },
}
