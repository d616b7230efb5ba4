import { safeFetch } from '../safe-fetch.ts'
import { headline, type Notice } from '../notice.ts'
import { classify, networkFailure, parseJson, readAnswer } from './http-result.ts'
import type { Outgoing, Provider, SendResult } from './types.ts'

// Discord webhooks (https://discord.com/developers/docs/resources/webhook): execute with
// `?wait=true` to get the message back (its id), edit with PATCH …/messages/<id>. The live
// message is an embed with viewers, title and category; at the end it becomes the summary.

const GREEN = 0x53fc18
const GREY = 0x7a7a7a
const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000)

function embed(n: Notice) {
  const ended = n.event.type === 'offline'
  const fields: { name: string; value: string; inline: boolean }[] = []
  if (ended && n.summary) {
    fields.push({ name: 'Duration', value: n.summary.duration, inline: true })
    if (n.summary.peak_viewers !== null)
      fields.push({ name: 'Peak viewers', value: `${n.summary.peak_viewers}${n.summary.peak_at ? ` at <t:${unix(n.summary.peak_at)}:t>` : ''}`, inline: true })
    if (n.summary.avg_viewers !== null) fields.push({ name: 'Average viewers', value: String(Math.round(n.summary.avg_viewers)), inline: true })
  } else {
    fields.push({ name: 'Viewers', value: n.stream.viewers === null ? 'hidden' : String(n.stream.viewers), inline: true })
    fields.push({ name: 'Category', value: n.stream.category ?? '—', inline: true })
    if (n.stream.started_at) fields.push({ name: 'Started', value: `<t:${unix(n.stream.started_at)}:R>`, inline: true })
  }
  return {
    title: (ended ? `${n.streamer.username} was live` : n.event.type === 'test' ? headline(n) : `${n.streamer.username} is live on Kick`).slice(0, 256),
    url: n.streamer.url,
    description: (n.stream.title ?? '').slice(0, 4096) || undefined,
    color: ended ? GREY : GREEN,
    fields,
    ...(n.streamer.profile_picture_url?.startsWith('https://') ? { thumbnail: { url: n.streamer.profile_picture_url } } : {}),
    footer: { text: ended ? 'Stream ended' : 'Kick Streamer Monitor' },
    timestamp: n.event.at,
  }
}

function body(cfg: Record<string, any>, out: Outgoing) {
  // A rule's own template (and the test message) is sent as text; the default is the embed.
  const plain = out.custom || out.notice.event.type === 'test'
  const payload = plain ? { content: out.text.slice(0, 2000), embeds: [] } : { embeds: [embed(out.notice)] }
  return { ...payload, ...(cfg.username && out.mode === 'post' ? { username: cfg.username } : {}), allowed_mentions: { parse: [] } }
}

const withWait = (url: string) => {
  const u = new URL(url)
  u.searchParams.set('wait', 'true')
  return u.toString()
}
const messageUrl = (url: string, id: string) => {
  const u = new URL(url)
  u.pathname = `${u.pathname.replace(/\/$/, '')}/messages/${encodeURIComponent(id)}`
  return u.toString()
}

async function call(cfg: Record<string, any>, out: Outgoing, env: Parameters<Provider['send']>[2]): Promise<SendResult> {
  const edit = out.mode === 'edit' && out.ref
  const url = edit ? messageUrl(cfg.webhook_url, out.ref!) : withWait(cfg.webhook_url)
  out.onRequest?.()
  const res = await safeFetch(url, {
    method: edit ? 'PATCH' : 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'kickmon-notifier (https://github.com/kickmon, 0.1)' },
    body: JSON.stringify(body(cfg, out)),
  }, env.policy('discord'))
  const answer = await readAnswer(res)
  const r = classify(res, answer)
  const json = parseJson(answer)
  // The bucket is empty: wait before the next request on this webhook (Discord's rate-limit headers).
  if (res.headers.get('x-ratelimit-remaining') === '0') r.retryAfterS = Math.max(r.retryAfterS ?? 0, Number(res.headers.get('x-ratelimit-reset-after')) || 1)
  if (res.status === 429) return { ...r, retryAfterS: typeof json?.retry_after === 'number' ? json.retry_after : r.retryAfterS, error: json?.global ? 'rate limited (global)' : 'rate limited' }
  if (res.ok) {
    if (edit) return { ...r, ref: out.ref! }
    if (typeof json?.id !== 'string') return { ...r, ok: false, error: 'Discord answered without a message id', permanent: false }
    return { ...r, ref: json.id }
  }
  // 10008 Unknown Message: someone deleted our message; 10015 Unknown Webhook, 50027 Invalid Webhook Token: the channel is gone.
  if (edit && res.status === 404 && json?.code === 10008) return { ...r, error: 'the message was deleted', permanent: true }
  if (res.status === 404 || res.status === 401 || res.status === 403)
    return { ...r, permanent: true, broken: `Discord answered ${res.status}${json?.message ? ` (${json.message})` : ''}: the webhook was deleted or its token is wrong` }
  return { ...r, error: json?.message ? `Discord: ${json.message}` : r.error }
}

export const discord: Provider = {
  edits: true,
  async send(cfg, out, env) {
    try {
      const r = await call(cfg, out, env)
      // Our message was deleted in Discord: post a fresh one rather than lose the update.
      if (!r.ok && out.mode === 'edit' && r.error === 'the message was deleted') return call(cfg, { ...out, mode: 'post', ref: null }, env)
      return r
    } catch (e) {
      return networkFailure(e)
    }
  },
}
