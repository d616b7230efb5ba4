import { expect, test } from 'bun:test'
import { unknownStatus, type StreamerStatus } from '@kickmon/shared/contracts/status'
import { changes, describeChange, describeEvent } from './describe.ts'
import { styles } from './text.ts'
import { Board } from './watch/board.ts'
import { renderFrame } from './watch/render.ts'

// A streamer who hides the viewer count on Kick: the CLI says "hidden", never 0.
const T0 = Date.parse('2026-12-03T07:00:00Z')
const at = new Date(T0).toISOString()
const status = (slug: string, o: Partial<StreamerStatus> = {}): StreamerStatus => ({
  ...unknownStatus(slug), stale: false, live: true, started_at: at, checked_at: at, title: 'show', ...o,
})
const hidden = { viewers: null, viewers_hidden: true }

test('change lines and events say hidden', () => {
  const before = status('shy', { viewers: 43_877 })
  const after = status('shy', hidden)
  expect(describeChange(before, after, changes(before, after))).toBe('viewers 43,877 → hidden')
  expect(describeChange(undefined, after, ['new'])).toContain('LIVE, hidden viewers')
  expect(describeEvent({ id: 'x', type: 'online', slug: 'shy', at, status: after, previous: null })).toBe('went live: hidden viewers, "show", -')
})

test('watch shows hidden in the viewers column and sorts it after shown counts', () => {
  const b = new Board()
  b.apply(status('shy', hidden), T0)
  b.apply(status('small', { viewers: 12 }), T0)
  const { lines } = renderFrame(b, { width: 100, height: 12, now: T0 + 10_000, connection: 'connected', scroll: 0, s: styles(false) })
  expect(lines.slice(3, 5).map((l) => l.split(/\s+/).filter(Boolean).slice(0, 4).join(' '))).toEqual(['● LIVE small 12', '● LIVE shy hidden'])
})
