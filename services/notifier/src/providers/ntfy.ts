import { safeFetch } from '../safe-fetch.ts'
import { headline } from '../notice.ts'
import { classify, networkFailure, parseJson, readAnswer } from './http-result.ts'
import type { Provider } from './types.ts'

// ntfy (https://docs.ntfy.sh/publish/): POST the text to <server>/<topic> with Title, Priority,
// Tags and Click headers. Updates in place use a sequence id (X-Sequence-ID, ntfy ≥ 2.16):
// every message about one stream carries the same one, so clients replace the notification.
// Older servers ignore the header and show a new notification instead.

const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '?')

export const ntfy: Provider = {
  edits: true,
  async send(cfg, out, env) {
    const url = `${String(cfg.server_url).replace(/\/+$/, '')}/${cfg.topic}`
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      // Header values are ISO-8859-1; ntfy decodes RFC 2047 encoded words in Title.
      title: `=?UTF-8?B?${Buffer.from(headline(out.notice)).toString('base64')}?=`,
      priority: String(out.notice.event.type === 'online' ? cfg.priority : Math.min(cfg.priority, 3)),
      click: ascii(out.notice.streamer.url),
      'x-sequence-id': out.ref ?? out.messageId,
    }
    const tags = [...(cfg.tags ?? []), out.notice.event.type === 'online' ? 'red_circle' : out.notice.event.type === 'offline' ? 'checkered_flag' : 'pencil']
    headers.tags = tags.join(',')
    if (cfg.token) headers.authorization = `Bearer ${cfg.token}`
    try {
      out.onRequest?.()
      const res = await safeFetch(url, { method: 'POST', headers, body: out.text }, env.policy('ntfy'))
      const answer = await readAnswer(res)
      const r = classify(res, answer)
      if (res.ok) {
        const json = parseJson(answer)
        if (typeof json?.id !== 'string') return { ...r, ok: false, error: 'ntfy answered without a message id' }
        return { ...r, ref: out.ref ?? out.messageId }
      }
      if (res.status === 401 || res.status === 403) return { ...r, permanent: true, broken: `ntfy answered ${res.status}: the token is wrong or may not publish to this topic` }
      return r
    } catch (e) {
      return networkFailure(e)
    }
  },
}
