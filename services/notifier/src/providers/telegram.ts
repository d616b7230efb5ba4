import { safeFetch } from '../safe-fetch.ts'
import { classify, networkFailure, parseJson, readAnswer, trimAnswer } from './http-result.ts'
import type { Outgoing, Provider, ProviderEnv, SendResult } from './types.ts'

// Telegram Bot API (https://core.telegram.org/bots/api): sendMessage, then editMessageText on
// the same message while the stream runs and for the summary. Every answer is
// {ok, result | error_code, description, parameters.retry_after}. Plain text (no parse_mode),
// so nothing a streamer writes in a title can break the formatting.

const LIMIT = 4096

async function call(cfg: Record<string, any>, method: string, payload: object, out: Outgoing, env: ProviderEnv): Promise<SendResult & { json?: any }> {
  const base = String(cfg.api_url).replace(/\/+$/, '')
  out.onRequest?.()
  const res = await safeFetch(`${base}/bot${cfg.bot_token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  }, env.policy('telegram'))
  const answer = await readAnswer(res)
  const json = parseJson(answer)
  const r = classify(res, answer)
  if (json?.ok === true) return { ...r, ok: true, json }
  if (res.ok) return { ...r, ok: false, error: 'Telegram answered without ok: true', answer: trimAnswer(answer) }
  const description = typeof json?.description === 'string' ? json.description : `error ${res.status}`
  const retryAfter = json?.parameters?.retry_after
  if (res.status === 429) return { ...r, error: `Telegram: ${description}`, retryAfterS: typeof retryAfter === 'number' ? retryAfter : r.retryAfterS }
  // 401: the token was revoked; 403: the bot was blocked or removed; "chat not found": wrong or deleted chat.
  if (res.status === 401 || res.status === 403 || /chat not found/i.test(description))
    return { ...r, error: `Telegram: ${description}`, permanent: true, broken: `Telegram answered ${res.status} (${description})` }
  return { ...r, error: `Telegram: ${description}` }
}

export const telegram: Provider = {
  edits: true,
  async send(cfg, out, env) {
    const text = out.text.length > LIMIT ? `${out.text.slice(0, LIMIT - 1)}…` : out.text
    try {
      if (out.mode === 'edit' && out.ref) {
        const r = await call(cfg, 'editMessageText', { chat_id: cfg.chat_id, message_id: Number(out.ref), text, link_preview_options: { is_disabled: true } }, out, env)
        if (r.ok) return { ...r, ref: out.ref }
        // Same text as before is no failure; a deleted message gets a fresh one.
        if (/message is not modified/i.test(r.error ?? '')) return { ...r, ok: true, error: null, permanent: false, ref: out.ref }
        if (!/message to edit not found/i.test(r.error ?? '')) return r
      }
      const r = await call(cfg, 'sendMessage', { chat_id: cfg.chat_id, text, link_preview_options: { is_disabled: true } }, out, env)
      const id = r.json?.result?.message_id
      if (r.ok && typeof id !== 'number') return { ...r, ok: false, error: 'Telegram answered without a message_id' }
      return r.ok ? { ...r, ref: String(id) } : r
    } catch (e) {
      return networkFailure(e)
    }
  },
}
