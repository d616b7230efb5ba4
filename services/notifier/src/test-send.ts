import type { TestResult } from '@kickmon/shared/contracts/notifier'
import { getChannelRow, markBroken, openConfig } from './channels.ts'
import type { NotifierDeps } from './deps.ts'
import { sampleNotice } from './notice.ts'
import type { Principal } from './principal.ts'
import { PROVIDERS } from './providers/index.ts'
import { render } from './templates.ts'

/** The test action: a real message through the channel now, and the provider's answer. */
export async function testChannel(d: NotifierDeps, p: Principal, id: number): Promise<TestResult> {
  const row = await getChannelRow(d, p, id)
  const notice = sampleNotice('test', d.config.KICK_WEB_URL)
  const text = await render(row.type, notice, null)
  let cfg: Record<string, any>
  try {
    cfg = openConfig(d, row)
  } catch {
    return { ok: false, provider_status: null, provider_answer: null, error: 'the channel secret cannot be opened (was NOTIFY_ENCRYPTION_KEY changed?)' }
  }
  const r = await PROVIDERS[row.type].send(cfg, { notice, text: text.text, custom: false, mode: 'post', ref: null, messageId: `msg_test_${row.id}_${Date.now()}` }, d.providerEnv)
  // A dead channel found by a test is shown broken like one found by a delivery; a good test repairs nothing
  // by itself (changing the settings does).
  if (r.broken) await markBroken(d, row.id, r.broken)
  d.metrics.deliveries.inc({ channel_type: row.type, outcome: r.ok ? 'test_sent' : 'test_failed' })
  return { ok: r.ok, provider_status: r.status, provider_answer: r.answer, error: r.ok ? null : (r.broken ?? r.error) }
}
