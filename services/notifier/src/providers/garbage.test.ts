import { afterAll, expect, test } from 'bun:test'
import { sampleNotice } from '../notice.ts'
import { PROVIDERS } from './index.ts'
import type { Outgoing, ProviderEnv } from './types.ts'

// A provider answering garbage (HTML from a captive portal, truncated JSON, a 200 without the
// fields the API promises) is a failed attempt with the answer recorded, never a crash.

const answers = ['<html><body>Bad Gateway</body></html>', '{"id":', '{"ok":true}', '', 'null']
let i = 0
const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response(answers[i++ % answers.length], { status: 200, headers: { 'content-type': 'text/html' } }) })
afterAll(() => server.stop(true))

const env: ProviderEnv = { policy: (type) => ({ allowHosts: ['127.0.0.1'], channelType: type }) }
const base = `http://127.0.0.1:${server.port}`
const out: Outgoing = { notice: sampleNotice('online', 'https://kick.example'), text: 'hello', custom: false, mode: 'post', ref: null, messageId: 'msg_1' }
const configs = {
  discord: { webhook_url: `${base}/api/webhooks/1/abc`, update_every_s: 300 },
  telegram: { bot_token: '1:abcdefghijklmnopqrstuvwxyz', chat_id: 5, api_url: base, update_every_s: 300 },
  ntfy: { server_url: base, topic: 't', priority: 3, tags: [], update_every_s: 300 },
  slack: { webhook_url: `${base}/services/T1/B2/c3` },
}

test('every garbage answer is a failed attempt that keeps the answer', async () => {
  for (const [type, cfg] of Object.entries(configs)) {
    for (let n = 0; n < answers.length; n++) {
      const r = await PROVIDERS[type as keyof typeof configs].send(cfg, out, env)
      expect([type, r.ok]).toEqual([type, false])
      expect(r.error).toBeTruthy()
      expect(r.status).toBe(200)
      expect(typeof r.answer).toBe('string')
    }
  }
})
