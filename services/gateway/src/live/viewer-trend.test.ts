import { expect, test } from 'bun:test'
import { unknownStatus } from '@kickmon/shared/contracts/status'
import { ViewerTrend } from './viewer-trend.ts'
import { streamerRow } from '../views/streamer-row.ts'

const at = (min: number) => new Date(Date.UTC(2026, 0, 1, 12, min)).toISOString()
const live = (viewers: number, min: number) => ({ ...unknownStatus('xqc'), stale: false, live: true, viewers, checked_at: at(min) })

test('one point a minute while live; the row shows the trend as a sparkline with a text label', () => {
  const t = new ViewerTrend()
  t.record(live(100, 0), 'xqc')
  t.record(live(120, 0), 'xqc') // same minute: the point moves, no new one
  t.record(live(150, 1), 'xqc')
  t.record(live(200, 2), 'xqc')
  expect(t.points('xqc')).toEqual([120, 150, 200])
  expect(t.change('xqc')).toEqual({ pct: (200 - 120) / 120 * 100, minutes: 2 })
  const row = streamerRow(live(200, 2), t).value
  expect(row).toContain('<svg class="spark"')
  expect(row).toContain('class="trend up"')
  expect(row).toContain('viewers +67% over 2 min')
  t.record({ ...live(0, 3), live: false }, 'xqc') // the stream ended: the trend starts over next time
  expect(t.points('xqc')).toEqual([])
})
