import { afterAll, expect, test } from 'bun:test'
import { createNotifySim } from '../../services/notify-sim/src/sim.ts'

// notify-sim answers as the providers' public API documentation says, independent of our client:
// Discord (developers/docs/resources/webhook, topics/rate-limits), the Telegram Bot API, ntfy's
// publishing docs and Slack's incoming-webhook docs.

const sim = createNotifySim()
const { url } = sim.listen(0)
afterAll(() => sim.stop())
const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) })

test('Discord: execute with and without wait, edit, errors with their codes, the webhook bucket and 429', async () => {
  const hook = (await (await post('/_sim/discord/webhooks', {})).json()) as { id: string; token: string; url: string }
  const path = new URL(hook.url).pathname
  const noWait = await post(path, { content: 'hi' })
  expect(noWait.status).toBe(204)
  expect(noWait.headers.get('x-ratelimit-limit')).toBe('5')
  const withWait = await post(`${path}?wait=true`, { content: 'hello' })
  const msg = (await withWait.json()) as { id: string; content: string; webhook_id: string }
  expect([withWait.status, msg.content, msg.webhook_id]).toEqual([200, 'hello', hook.id])
  const edit = await fetch(`${url}${path}/messages/${msg.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: 'edited' }) })
  expect(((await edit.json()) as { content: string; edited_timestamp: string | null }).edited_timestamp).not.toBeNull()
  expect(await (await post(`${path}?wait=true`, {})).json()).toEqual({ message: 'Cannot send an empty message', code: 50006 })
  const fifth = await post(path, { content: 'fifth' })
  expect([fifth.status, fifth.headers.get('x-ratelimit-remaining')]).toEqual([204, '0'])
  // Five requests per two seconds on one webhook: the sixth is refused with retry_after.
  const r429 = await post(path, { content: 'x' })
  expect(r429.status).toBe(429)
  const body = (await r429.json()) as { message: string; retry_after: number; global: boolean }
  expect([body.message, body.global, body.retry_after > 0, body.retry_after <= 2]).toEqual(['You are being rate limited.', false, true, true])
  expect(r429.headers.get('retry-after')).toMatch(/^\d+$/)
  expect((await (await post(`/api/webhooks/${hook.id}/wrong-token`, { content: 'x' })).json())).toEqual({ message: 'Invalid Webhook Token', code: 50027 })
  await fetch(`${url}/_sim/discord/webhooks/${hook.id}`, { method: 'DELETE' })
  const gone = await post(path, { content: 'x' })
  expect([gone.status, await gone.json()]).toEqual([404, { message: 'Unknown Webhook', code: 10015 }])
})

test('Telegram: every answer is {ok, result} or {ok: false, error_code, description[, parameters]}', async () => {
  const bot = (await (await post('/_sim/telegram/bots', { chat_ids: [7] })).json()) as { token: string }
  const sent = (await (await post(`/bot${bot.token}/sendMessage`, { chat_id: 7, text: 'hi' })).json()) as { ok: boolean; result: { message_id: number; chat: { id: number }; text: string } }
  expect([sent.ok, sent.result.chat.id, sent.result.text]).toEqual([true, 7, 'hi'])
  // Form encoding works as well as JSON.
  const form = await post(`/bot${bot.token}/editMessageText`, `chat_id=7&message_id=${sent.result.message_id}&text=edited`, { 'content-type': 'application/x-www-form-urlencoded' })
  expect(((await form.json()) as { result: { text: string; edit_date?: number } }).result.edit_date).toBeNumber()
  const same = await post(`/bot${bot.token}/editMessageText`, { chat_id: 7, message_id: sent.result.message_id, text: 'edited' })
  expect(((await same.json()) as { description: string }).description).toStartWith('Bad Request: message is not modified')
  expect(await (await post(`/bot${bot.token}/sendMessage`, { chat_id: 8, text: 'x' })).json()).toEqual({ ok: false, error_code: 400, description: 'Bad Request: chat not found' })
  expect(await (await post('/bot1:nope/sendMessage', { chat_id: 7, text: 'x' })).json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' })
  await fetch(`${url}/_sim/faults`, { method: 'PUT', body: JSON.stringify({ telegram_429: { count: 1, retry_after: 3 } }) })
  expect(await (await post(`/bot${bot.token}/sendMessage`, { chat_id: 7, text: 'x' })).json()).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } })
})

test('ntfy: headers or JSON; the answer is the message; a known sequence id updates; bad topics and tokens refused', async () => {
  const r = (await (await post('/mytopic', 'Backup done', { title: 'Backups', priority: 'high', tags: 'warning,skull', 'x-sequence-id': 'seq-1' })).json()) as Record<string, unknown>
  expect([r.event, r.topic, r.message, r.title, r.priority, r.tags, r.sequence_id]).toEqual(['message', 'mytopic', 'Backup done', 'Backups', 4, ['warning', 'skull'], 'seq-1'])
  const j = (await (await post('/', { topic: 'mytopic', message: 'again', sequence_id: 'seq-1' })).json()) as Record<string, unknown>
  expect(j.sequence_id).toBe('seq-1')
  expect(sim.inbox.items.filter((i) => i.provider === 'ntfy').map((i) => i.kind)).toEqual(['create', 'edit'])
  expect(await (await post('/bad topic!', 'x')).json()).toEqual({ code: 40401, http: 404, error: 'page not found' })
  expect(await (await post('/', { topic: 'bad topic!', message: 'x' })).json()).toEqual({ code: 40010, http: 400, error: 'invalid request: topic invalid' })
  await post('/_sim/ntfy/protect', { topic: 'private', token: 'tk_a' })
  expect(await (await post('/private', 'x', {})).json()).toEqual({ code: 40301, http: 403, error: 'forbidden' })
  expect(await (await post('/private', 'x', { authorization: 'Bearer tk_b' })).json()).toEqual({ code: 40101, http: 401, error: 'unauthorized' })
})

test('Slack: "ok" as text; no_text, invalid_payload, no_service, channel_is_archived', async () => {
  const hook = (await (await post('/_sim/slack/hooks', {})).json()) as { url: string }
  const path = new URL(hook.url).pathname
  const ok = await post(path, { text: 'hello' })
  expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([200, 'text/plain', 'ok'])
  const noText = await post(path, {})
  expect([noText.status, await noText.text()]).toEqual([400, 'no_text'])
  expect(await (await post(path, 'not json')).text()).toBe('invalid_payload')
  expect(await (await post('/services/T0/B0/nope', { text: 'x' })).text()).toBe('no_service')
  await post('/_sim/slack/archive', { url: hook.url })
  const archived = await post(path, { text: 'x' })
  expect([archived.status, await archived.text()]).toEqual([410, 'channel_is_archived'])
})
