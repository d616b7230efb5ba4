import { clean, truncate } from './text.ts'

export type Progress = { tick: (detail?: string) => void; done: () => void }

const noop: Progress = { tick: () => {}, done: () => {} }

/**
 * A one-line bar on stderr, redrawn in place at most every 50 ms; nothing at all when
 * stderr is not a terminal (logs and pipes get the summary only).
 */
export function progress(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 0) return noop
  let n = 0
  let last = 0
  let detail = ''
  const draw = () => {
    const cols = stream.columns || 80
    const barW = Math.max(10, Math.min(30, cols - 40))
    const filled = Math.round((n / total) * barW)
    const pct = String(Math.floor((n / total) * 100)).padStart(3)
    const head = `${label} [${'█'.repeat(filled)}${'░'.repeat(barW - filled)}] ${pct}% ${n}/${total}`
    stream.write(`\r${head} ${truncate(clean(detail), Math.max(0, cols - head.length - 2))}\x1b[K`)
  }
  return {
    tick: (d = '') => {
      n = Math.min(total, n + 1)
      detail = d
      const now = performance.now()
      if (now - last >= 50 || n === total) {
        last = now
        draw()
      }
    },
    done: () => void stream.write('\r\x1b[K'),
  }
}
