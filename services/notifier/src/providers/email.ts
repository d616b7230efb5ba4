import type { Transporter } from 'nodemailer'
import { headline } from '../notice.ts'
import type { Provider, SendResult } from './types.ts'

// Email over SMTP_URL (set by the operator; nodemailer). One message per event, plain text.
// nodemailer is loaded on the first mail: installations without email never pay its memory.

let cached: { url: string; t: Transporter } | null = null
async function transport(url: string): Promise<Transporter> {
  if (cached?.url !== url) {
    const nodemailer = (await import('nodemailer')).default
    cached?.t.close()
    cached = { url, t: nodemailer.createTransport(url) }
  }
  return cached.t
}

/** `?from=` on SMTP_URL, else kickmon@<smtp host>. */
export function senderOf(url: string): string {
  const u = new URL(url)
  return u.searchParams.get('from') || `Kick Streamer Monitor <kickmon@${u.hostname}>`
}

export const email: Provider = {
  edits: false,
  async send(cfg, out, env): Promise<SendResult> {
    if (!env.smtpUrl) return { ok: false, status: null, answer: null, error: 'SMTP_URL is not set: email cannot be sent', permanent: true }
    try {
      out.onRequest?.()
      const info = await (await transport(env.smtpUrl)).sendMail({
        from: senderOf(env.smtpUrl),
        to: cfg.to,
        subject: headline(out.notice),
        text: out.text,
        headers: { 'X-Kickmon-Message-Id': out.messageId },
      })
      return { ok: true, status: 250, answer: String(info.response ?? '').slice(0, 2000), error: null, ref: info.messageId }
    } catch (e) {
      const err = e as { responseCode?: number; response?: string; message?: string }
      const code = err.responseCode ?? null
      // 5xx is a permanent SMTP refusal (no such mailbox); 4xx and network errors are retried.
      return { ok: false, status: code, answer: err.response?.slice(0, 2000) ?? null, error: `SMTP: ${(err.message ?? String(e)).replace(/\/\/[^@\s]+@/g, '//<credentials>@')}`, permanent: code !== null && code >= 500 }
    }
  },
}
