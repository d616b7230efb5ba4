import { writeSync } from 'node:fs'

const ESC = '\x1b['
const ENTER = `${ESC}?1049h${ESC}?25l${ESC}H${ESC}2J` // alternate screen, hide cursor, clear
const LEAVE = `${ESC}?2026l${ESC}0m${ESC}?25h${ESC}?1049l` // end sync, reset, show cursor, main screen
const SYNC_ON = `${ESC}?2026h` // terminals that know "synchronized output" paint the frame at once
const SYNC_OFF = `${ESC}?2026l`

/**
 * A full-screen view without flicker: the alternate screen, and per frame only the lines
 * that differ from the last frame, each rewritten in place (cursor moved there, text, clear to
 * end of line), in a single write.
 */
export class Screen {
  private prev: string[] = []
  private active = false
  private readonly fd: number

  constructor(private readonly out: NodeJS.WriteStream) {
    this.fd = (out as { fd?: number }).fd ?? 1
  }

  get size() {
    return { width: this.out.columns || 80, height: this.out.rows || 24 }
  }

  enter() {
    this.active = true
    this.write(ENTER)
  }

  draw(lines: string[]) {
    let buf = ''
    for (let i = 0; i < lines.length; i++) if (lines[i] !== this.prev[i]) buf += `${ESC}${i + 1};1H${lines[i]}${ESC}K`
    if (this.prev.length > lines.length) buf += `${ESC}${lines.length + 1};1H${ESC}J`
    this.prev = lines
    if (buf) this.write(SYNC_ON + buf + SYNC_OFF)
  }

  /** After a resize every line must be painted again. */
  invalidate() {
    this.prev = []
    if (this.active) this.write(`${ESC}2J`)
  }

  /** Restores the terminal; safe to call more than once, and from an exit handler. */
  leave() {
    if (!this.active) return
    this.active = false
    this.write(LEAVE)
  }

  private write(s: string) {
    // Synchronous, so the restore sequence is out even when the process is exiting.
    try {
      writeSync(this.fd, s)
    } catch {}
  }
}

export type Key = 'quit' | 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end'

/** Keys from a raw-mode terminal. Ctrl-C arrives as a byte here, not as SIGINT. */
export function keysOf(chunk: string): Key[] {
  const out: Key[] = []
  const map: [string, Key][] = [
    ['\x1b[A', 'up'], ['\x1b[B', 'down'], ['\x1b[5~', 'pageup'], ['\x1b[6~', 'pagedown'], ['\x1b[H', 'home'], ['\x1b[F', 'end'],
    ['q', 'quit'], ['Q', 'quit'], ['\x03', 'quit'], ['\x04', 'quit'], ['k', 'up'], ['j', 'down'], ['g', 'home'], ['G', 'end'], [' ', 'pagedown'],
  ]
  let rest = chunk
  while (rest.length) {
    const hit = map.find(([seq]) => rest.startsWith(seq))
    if (hit) {
      out.push(hit[1])
      rest = rest.slice(hit[0].length)
    } else rest = rest.slice(rest.startsWith('\x1b[') ? (/^\x1b\[[0-9;]*[~A-Za-z]/.exec(rest)?.[0].length ?? 1) : 1)
  }
  return out
}
