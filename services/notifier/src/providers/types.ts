import type { ChannelType } from '@kickmon/shared/contracts/notifier'
import type { Notice } from '../notice.ts'
import type { UrlPolicy } from '../safe-fetch.ts'

/** One message to send: a new one, or an edit of the provider's message `ref`. */
export type Outgoing = {
  notice: Notice
  /** The rendered template (or the type's default). */
  text: string
  /** True when `text` comes from the rule's own template (providers then send it as is). */
  custom: boolean
  mode: 'post' | 'edit'
  ref: string | null
  /** Stable across retries of one delivery (Standard Webhooks' webhook-id, ntfy's sequence id). */
  messageId: string
  /** Called just before the first byte goes to the provider (the latency metric). */
  onRequest?: () => void
}

export type SendResult = {
  ok: boolean
  status: number | null
  answer: string | null
  error: string | null
  /** The provider's id for the message (to edit it later). */
  ref?: string
  /** The provider asked us to wait this long before the next request (429, exhausted bucket). */
  retryAfterS?: number
  /** Retrying this message cannot help (a 4xx the provider will answer again). */
  permanent?: boolean
  /** The channel itself is dead (deleted webhook, revoked token, blocked bot): mark it broken. */
  broken?: string
}

export type ProviderEnv = { policy: (type: ChannelType) => UrlPolicy; smtpUrl?: string }

export type Provider = {
  /** Whether a live message is edited in place (else the end is a second message). */
  edits: boolean
  send(config: Record<string, any>, out: Outgoing, env: ProviderEnv): Promise<SendResult>
}
