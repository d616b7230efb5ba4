import { afterAll, beforeAll, expect, test } from 'bun:test'
import { eventually } from '../../harness/services.ts'
import { startTestSmtp, type TestSmtp } from '../../harness/smtp.ts'
import { ADMIN_ACTOR, startNotifierHarness, type NotifierHarness } from './harness.ts'

// Email through a real SMTP server (aiosmtpd): one message per event.

let h: NotifierHarness
let smtp: TestSmtp
beforeAll(async () => {
  smtp = await startTestSmtp()
  h = await startNotifierHarness({ SMTP_URL: `${smtp.url}?from=alerts@kickmon.example` })
  await h.startNotifier()
}, 120_000)
afterAll(async () => {
  await h?.stop()
  await smtp?.stop()
})

test('email: one message at go-live and one at the end, from the SMTP_URL sender', async () => {
  const { channel } = await h.n('channelsCreate', { actor: ADMIN_ACTOR, type: 'email', name: 'inbox', config: { to: 'fan@example.org' } })
  expect((await h.n('channelsTest', { actor: ADMIN_ACTOR, id: channel.id })).provider_answer).toMatch(/^250/)
  await h.n('rulesCreate', { actor: ADMIN_ACTOR, channel_id: channel.id, streamers: ['echo'], events: ['online', 'offline'] })
  const started = new Date(Date.now() - 90 * 60_000).toISOString()
  await h.publish(h.online('echo', started, { title: 'Café night ☕' }))
  await h.publish(h.offline('echo', started))
  const mails = await eventually(async () => {
    const m = await smtp.messages()
    return m.length === 3 ? m : null
  }, 20_000, 'three mails (test, start, end)')
  const body = (m: string) => m.replace(/=\r?\n/g, '')
  expect(mails.every((m) => /^From: alerts@kickmon\.example/m.test(m) && /^To: fan@example\.org/m.test(m))).toBe(true)
  expect(mails.some((m) => /^Subject: ECHO is live on Kick/m.test(m))).toBe(true)
  const end = mails.find((m) => /^Subject: ECHO's stream ended/m.test(m))
  expect(body(end!)).toContain('was live for 1 h 30 min')
}, 60_000)
