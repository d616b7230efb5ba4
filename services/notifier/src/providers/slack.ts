import { safeFetch } from '../safe-fetch.ts'
import { classify, networkFailure, readAnswer } from './http-result.ts'
import type { Provider } from './types.ts'

// Slack incoming webhooks (https://api.slack.com/messaging/webhooks): POST {text}; the answer
// is the plain text "ok" or an error code. Incoming webhooks cannot edit, so the end of a
// stream is a second message.

// https://api.slack.com/messaging/webhooks#handling_errors: these mean the webhook is dead.
const DEAD = /^(invalid_token|no_service|no_service_id|no_team|team_disabled|channel_not_found|channel_is_archived|action_prohibited|posting_to_general_channel_denied)$/

export const slack: Provider = {
  edits: false,
  async send(cfg, out, env) {
    try {
      out.onRequest?.()
      const res = await safeFetch(cfg.webhook_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: out.text.slice(0, 3000), unfurl_links: false }),
      }, env.policy('slack'))
      const answer = (await readAnswer(res)).trim()
      const r = classify(res, answer)
      if (res.ok && answer !== 'ok') return { ...r, ok: false, error: `Slack answered "${answer.slice(0, 100)}" instead of "ok"` }
      if (!res.ok && DEAD.test(answer)) return { ...r, permanent: true, broken: `Slack answered ${res.status} ${answer}` }
      return r.ok ? r : { ...r, error: `Slack: ${answer || r.error}` }
    } catch (e) {
      return networkFailure(e)
    }
  },
}
