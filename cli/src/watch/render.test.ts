import { describe, expect, test } from 'bun:test'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unknownStatus, type StreamerStatus } from '@kickmon/shared/contracts/status'
import { styles } from '../text.ts'
import { Board } from './board.ts'
import { HIGHLIGHT_MS, renderFrame } from './render.ts'
import { keysOf, Screen } from './screen.ts'

const T0 = Date.parse('2026-07-01T12:00:00Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()
const status = (slug: string, o: Partial<StreamerStatus> = {}): StreamerStatus => ({
  ...unknownStatus(slug), stale: false, checked_at: at(0), category: { id: 1, name: 'Just Chatting' }, ...o,
})
const plain = styles(false)
const frame = (b: Board, o: Partial<Parameters<typeof renderFrame>[1]> = {}) =>
  renderFrame(b, { width: 100, height: 12, now: T0 + 10_000, connection: 'connected', scroll: 0, s: plain, ...o })

describe('watch: the board and the frame', () => {
  test('live streamers first, most viewers first; then the rest by name', () => {
    const b = new Board()
    b.apply(status('zed'))
    b.apply(status('amy'))
    b.apply(status('big', { live: true, viewers: 9000, started_at: at(-3600), title: 'big show' }))
    b.apply(status('small', { live: true, viewers: 12, started_at: at(-90), title: 'small show' }))
    const { lines } = frame(b)
    expect(lines[0]).toMatch(/^ kickmon watch  4 streamers · 2 live +● connected  \d\d:\d\d:\d\d $/)
    expect(lines.slice(3, 7).map((l) => l.split(/\s+/).filter(Boolean).slice(0, 4).join(' '))).toEqual([
      '● LIVE big 9,000', '● LIVE small 12', '○ off amy -', '○ off zed -',
    ])
    expect(lines[3]).toContain('1h 00m')
    expect(lines.every((l) => Bun.stringWidth(l) <= 100)).toBe(true)
  })

  test('an older reading never replaces a newer one; a reading that changes nothing is not a change', () => {
    const b = new Board()
    b.apply(status('a', { viewers: 5, live: true, checked_at: at(10) }))
    expect(b.apply(status('a', { viewers: 1, live: true, checked_at: at(5) }))).toBeNull()
    expect(b.apply(status('a', { viewers: 5, live: true, checked_at: at(20) }))).toBeNull()
    expect(b.apply(status('a', { viewers: 6, live: true, checked_at: at(30) }))?.what).toEqual(['viewers'])
  })

  test('a change is highlighted, with ▲/▼ on viewers, and fades after a few seconds', () => {
    const b = new Board()
    const s = styles(true)
    b.apply(status('a', { live: true, viewers: 100, started_at: at(0) }), T0, false)
    b.apply(status('a', { live: true, viewers: 250, started_at: at(0), checked_at: at(1) }), T0 + 1000)
    const hot = renderFrame(b, { width: 100, height: 8, now: T0 + 2000, connection: 'connected', scroll: 0, s }).lines[3]!
    expect(hot).toContain('\x1b[30;43m')
    expect(hot).toContain('250 ▲')
    const cold = renderFrame(b, { width: 100, height: 8, now: T0 + 1000 + HIGHLIGHT_MS + 1, connection: 'connected', scroll: 0, s }).lines[3]!
    expect(cold).not.toContain('\x1b[30;43m')
    expect(cold).not.toContain('▲')
  })

  test('a narrow terminal drops category, then uptime; long titles are cut to fit, wide characters counted', () => {
    const b = new Board()
    b.apply(status('a', { live: true, viewers: 1, started_at: at(0), title: '日本語のとても長いタイトル'.repeat(5) }))
    const wide = frame(b, { width: 80 })
    expect(wide.lines[2]).toContain('CATEGORY')
    expect(wide.lines.every((l) => Bun.stringWidth(l) <= 80)).toBe(true)
    expect(wide.lines[3]).toContain('…')
    const narrow = frame(b, { width: 48 })
    expect(narrow.lines[2]).not.toContain('CATEGORY')
    expect(narrow.lines.every((l) => Bun.stringWidth(l) <= 48)).toBe(true)
  })

  test('more streamers than lines: scrolls, and says which ones are shown', () => {
    const b = new Board()
    for (let i = 0; i < 30; i++) b.apply(status(`s${String(i).padStart(2, '0')}`))
    const f = frame(b, { height: 10, scroll: 100 })
    expect(f.lines).toHaveLength(10)
    expect(f.scroll).toBe(24)
    expect(f.lines.at(-1)).toMatch(/25–30 of 30$/)
  })

  test('titles cannot smuggle terminal control sequences', () => {
    const b = new Board()
    b.apply(status('a', { live: true, viewers: 1, started_at: at(0), title: 'x\x1b[2J\x1b]0;owned\x07y\u202e' }))
    expect(frame(b).lines.join('\n')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/)
  })
})

describe('watch: the screen', () => {
  test('enters the alternate screen, rewrites only the lines that changed, and restores the terminal', () => {
    const file = join(tmpdir(), `kickmon-screen-${process.pid}-${Date.now()}`)
    const fd = openSync(file, 'w')
    const screen = new Screen({ fd, columns: 40, rows: 5 } as never)
    screen.enter()
    screen.draw(['one', 'two', 'three'])
    const afterFirst = readFileSync(file, 'utf8').length
    screen.draw(['one', 'TWO', 'three'])
    screen.draw(['one', 'TWO', 'three']) // nothing changed: nothing written
    screen.draw(['one'])
    screen.leave()
    closeSync(fd)
    const all = readFileSync(file, 'utf8')
    expect(all.startsWith('\x1b[?1049h\x1b[?25l')).toBe(true)
    const second = all.slice(afterFirst)
    expect(second.startsWith('\x1b[?2026h\x1b[2;1HTWO\x1b[K\x1b[?2026l')).toBe(true) // only line 2
    expect(second).toContain('\x1b[2;1H\x1b[J') // shorter frame: the rest cleared once
    expect(all.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true)
  })

  test('keys: q, Q and Ctrl-C quit; arrows, j/k and page keys scroll; other input is ignored', () => {
    expect(keysOf('q')).toEqual(['quit'])
    expect(keysOf('\x03')).toEqual(['quit'])
    expect(keysOf('\x1b[A\x1b[Bjk\x1b[5~\x1b[6~')).toEqual(['up', 'down', 'down', 'up', 'pageup', 'pagedown'])
    expect(keysOf('x\x1b[99zG')).toEqual(['end'])
  })
})
