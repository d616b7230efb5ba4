import type { Liquid } from 'liquidjs'
import type { ChannelType } from '@kickmon/shared/contracts/notifier'
import { AppError } from '@kickmon/shared/errors'
import { lazyImport } from '@kickmon/shared/lazy'
import type { Notice, NoticeKind } from './notice.ts'

// Templates are Liquid (liquidjs), rendered with no file system (no include/render of files)
// and bounded parse, render and memory, so a user's template cannot read files or spin.
// liquidjs and its engine (~5 MB) are made on the first template checked or rendered, not at
// start: a notifier with nothing to send never pays them (docs/performance.md, "memory").

const liquidjs = lazyImport('liquidjs', 'notification templates', () => import('liquidjs'))
let engine: Liquid | null = null
async function liquid(): Promise<Liquid> {
  return (engine ??= new (await liquidjs()).Liquid({
    templates: {},
    ownPropertyOnly: true,
    strictFilters: true,
    parseLimit: 20_000,
    renderLimit: 200,
    memoryLimit: 1_000_000,
  }))
}

const LINES: Record<NoticeKind, string> = {
  online: '{{ streamer.username }} is live on Kick: {{ stream.title | default: "(no title)" }}\n{{ stream.category | default: "No category" }} · {{ stream.viewers | default: "hidden" }} viewers\n{{ streamer.url }}',
  offline:
    '{{ streamer.username }} was live for {{ summary.duration }}.{% if summary.peak_viewers %} Peak {{ summary.peak_viewers }} viewers{% if summary.peak_at %} at {{ summary.peak_at | date: "%H:%M", "UTC" }} UTC{% endif %}, average {{ summary.avg_viewers }}.{% endif %}\n{{ stream.title | default: "(no title)" }}\n{{ streamer.url }}',
  title: '{{ streamer.username }} changed the title: {{ stream.title | default: "(no title)" }}\n{{ streamer.url }}',
  category: '{{ streamer.username }} is now streaming {{ stream.category | default: "no category" }}\n{{ streamer.url }}',
  test: 'Test notification from Kick Streamer Monitor: this channel works.',
}

/** The default template of a channel type for one event (Slack links its own way). */
export function defaultTemplate(type: ChannelType, kind: NoticeKind): string {
  const t = LINES[kind]
  if (type === 'slack') return t.replace('{{ streamer.username }}', '<{{ streamer.url }}|{{ streamer.username }}>').replace(/\n\{\{ streamer\.url \}\}$/, '')
  return t
}

/** Refuse a template that does not parse (422 naming the field). */
export async function checkTemplate(template: string) {
  const l = await liquid()
  try {
    l.parse(template)
  } catch (e) {
    throw new AppError('VALIDATION', `template: ${(e as Error).message.split('\n')[0]}`)
  }
}

const ctx = (n: Notice) => ({ ...n, summary: n.summary ?? {}, previous: n.previous ?? {} }) as unknown as Record<string, unknown>

export type Rendered = { text: string; usedDefault: boolean; error: string | null }

/**
 * Render the rule's template, or the type's default. A template that fails to render falls
 * back to the default and says why (the delivery log shows it).
 */
export async function render(type: ChannelType, n: Notice, template: string | null | undefined): Promise<Rendered> {
  if (template) {
    const l = await liquid()
    try {
      const text = (await l.parseAndRender(template, ctx(n))).trim()
      if (text) return { text, usedDefault: false, error: null }
      return { text: await renderDefault(type, n), usedDefault: true, error: 'the template rendered nothing; the default was used' }
    } catch (e) {
      return { text: await renderDefault(type, n), usedDefault: true, error: `the template failed (${(e as Error).message.split('\n')[0]}); the default was used` }
    }
  }
  return { text: await renderDefault(type, n), usedDefault: true, error: null }
}

async function renderDefault(type: ChannelType, n: Notice): Promise<string> {
  return (await (await liquid()).parseAndRender(defaultTemplate(type, n.event.type), ctx(n))).trim()
}
