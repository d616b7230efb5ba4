import { describe, expect, test } from 'bun:test'
// The chart's tick labeller is a browser script; it exports itself for CommonJS too.
const { timeTickLabels } = require('../../web/js/time-ticks.js') as { timeTickLabels: (splits: number[], incr: number) => string[] }

const at = (iso: string) => Date.parse(iso) / 1000
const ticks = (start: string, incr: number, n: number) => Array.from({ length: n }, (_, i) => at(start) + i * incr)
const distinctNeighbours = (labels: string[]) => labels.every((l, i) => i === 0 || l !== labels[i - 1])

// The streamer page's time axis: neighbouring ticks never read the same, at any zoom.
describe('time axis labels', () => {
  test('a stream a few minutes old: seconds, never a row of 00:00:00', () => {
    const labels = timeTickLabels(ticks('2026-12-03T07:41:10Z', 20, 6), 20)
    expect(labels).toEqual(['07:41:10', '07:41:30', '07:41:50', '07:42:10', '07:42:30', '07:42:50'])
  })

  test('minutes for ticks minutes apart; the date joins when the ticks cross midnight', () => {
    expect(timeTickLabels(ticks('2026-12-03T10:00:00Z', 600, 4), 600)).toEqual(['10:00', '10:10', '10:20', '10:30'])
    expect(timeTickLabels(ticks('2026-12-02T22:00:00Z', 3 * 3600, 3), 3 * 3600)).toEqual(['12-02 22:00', '12-03 01:00', '12-03 04:00'])
  })

  test('dates for a month', () => {
    expect(timeTickLabels(ticks('2026-11-01T00:00:00Z', 7 * 86400, 3), 7 * 86400)).toEqual(['11-01', '11-08', '11-15'])
  })

  test('zoomed below a second: milliseconds', () => {
    const labels = timeTickLabels(ticks('2026-12-03T07:41:10Z', 0.25, 4), 0.25)
    expect(labels).toEqual(['2026-12-03 07:41:10.000', '2026-12-03 07:41:10.250', '2026-12-03 07:41:10.500', '2026-12-03 07:41:10.750'])
  })

  test('when the spacing says minutes but two ticks share one, seconds are shown instead', () => {
    const labels = timeTickLabels([at('2026-12-03T07:41:00Z'), at('2026-12-03T07:41:30Z'), at('2026-12-03T07:42:00Z')], 60)
    expect(labels).toEqual(['07:41:00', '07:41:30', '07:42:00'])
  })

  test('every tick spacing uPlot uses, at any offset: neighbours always differ', () => {
    const incrs = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400]
    const starts = ['2026-12-03T00:00:00Z', '2026-12-31T23:59:50Z', '2026-06-15T13:37:42.5Z']
    for (const incr of incrs)
      for (const start of starts) {
        const labels = timeTickLabels(ticks(start, incr, 8), incr)
        expect({ incr, start, ok: distinctNeighbours(labels) }).toEqual({ incr, start, ok: true })
      }
    expect(timeTickLabels([], 60)).toEqual([])
  })
})
