import type { StatusEvent, StreamerStatus } from '@kickmon/shared/contracts/status'
import { duration, viewerCount } from './format.ts'
import { clean } from './text.ts'

// Sentences about streamers, shared by `streamers` and `watch` so both say the same thing.

export const quoted = (s: string | null) => (s ? `"${clean(s)}"` : '(no title)')
export const categoryName = (s: StreamerStatus) => clean(s.category?.name) || '-'

export function stateWord(s: StreamerStatus): string {
  return `${s.live ? 'LIVE' : 'offline'}${s.stale ? ' (stale)' : ''}`
}

export function uptime(s: StreamerStatus, now = Date.now()): string {
  return s.live && s.started_at ? duration((now - Date.parse(s.started_at)) / 1000) : ''
}

export type Change = 'new' | 'live' | 'offline' | 'viewers' | 'title' | 'category' | 'stale' | 'fresh' | 'removed'

/** What differs between two readings of the same streamer (nothing when only timestamps moved). */
export function changes(prev: StreamerStatus | undefined, next: StreamerStatus): Change[] {
  if (!prev) return ['new']
  const out: Change[] = []
  if (prev.live !== next.live) out.push(next.live ? 'live' : 'offline')
  if (prev.viewers !== next.viewers) out.push('viewers')
  if (prev.title !== next.title) out.push('title')
  if ((prev.category?.id ?? null) !== (next.category?.id ?? null)) out.push('category')
  if (prev.stale !== next.stale) out.push(next.stale ? 'stale' : 'fresh')
  return out
}

/** One line describing a change, for logs and `watch` without a terminal. */
export function describeChange(prev: StreamerStatus | undefined, next: StreamerStatus, what: Change[]): string {
  const parts: string[] = []
  // Going live or offline says it all; the viewers/title that changed with it are noise.
  const transition = what.includes('live') || what.includes('offline')
  for (const c of what) {
    if (c === 'new') parts.push(`${stateWord(next)}${next.live ? `, ${viewerCount(next.viewers)} viewers, ${quoted(next.title)}, ${categoryName(next)}` : ''}`)
    else if (c === 'live') parts.push(`went live: ${viewerCount(next.viewers)} viewers, ${quoted(next.title)}, ${categoryName(next)}`)
    else if (c === 'offline') parts.push(`went offline${prev?.started_at ? ` after ${duration((Date.now() - Date.parse(prev.started_at)) / 1000)}` : ''}`)
    else if (c === 'viewers' && !transition) parts.push(`viewers ${viewerCount(prev ? prev.viewers : 0)} → ${viewerCount(next.viewers)}`)
    else if (c === 'title' && !transition) parts.push(`title ${quoted(next.title)}`)
    else if (c === 'category' && !transition) parts.push(`category ${categoryName(next)}`)
    else if (c === 'stale') parts.push('stale: no fresh reading')
    else if (c === 'fresh') parts.push('fresh again')
    else if (c === 'removed') parts.push('no longer monitored')
  }
  return parts.join('; ')
}

export function describeEvent(e: StatusEvent): string {
  const s = e.status
  switch (e.type) {
    case 'online':
      return `went live: ${viewerCount(s.viewers)} viewers, ${quoted(s.title)}, ${categoryName(s)}`
    case 'offline':
      return e.previous?.started_at ? `went offline after ${duration((Date.parse(e.at) - Date.parse(e.previous.started_at)) / 1000)}` : 'went offline'
    case 'title':
      return `title ${quoted(e.previous?.title ?? null)} → ${quoted(s.title)}`
    case 'category':
      return `category ${e.previous ? categoryName(e.previous) : '-'} → ${categoryName(s)}`
  }
}
