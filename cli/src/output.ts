import { clean, pad, styles, truncate, width, type Styles } from './text.ts'

export type Column<R> = {
  header: string
  get: (row: R) => string
  align?: 'left' | 'right'
  /** This column shrinks (from the right) when the table is wider than the terminal. */
  flex?: boolean
  style?: (value: string, row: R) => string
}

export type Writer = { write: (s: string) => void; isTTY: boolean; columns: number | undefined }

/** Human and `--json` output. Human text goes to stdout; notes and warnings to stderr. */
export class Output {
  readonly s: Styles
  constructor(
    readonly json: boolean,
    readonly stdout: Writer,
    readonly stderr: Writer,
    color: boolean,
  ) {
    this.s = styles(color)
  }

  line(text = '') {
    this.stdout.write(text + '\n')
  }

  /** For `--json`: one document, pretty when a person is looking at it. */
  data(value: unknown) {
    this.stdout.write(JSON.stringify(value, null, this.stdout.isTTY ? 2 : undefined) + '\n')
  }

  note(text: string) {
    this.stderr.write(`${text}\n`)
  }

  warn(text: string) {
    this.stderr.write(`${this.s.yellow('warning:')} ${text}\n`)
  }

  /** Key: value lines with aligned keys. */
  pairs(rows: [string, string][]) {
    const w = Math.max(0, ...rows.map(([k]) => width(k)))
    for (const [k, v] of rows) this.line(`${this.s.dim(pad(k + ':', w + 1))} ${v}`)
  }

  table<R>(columns: Column<R>[], rows: R[], empty = '(none)') {
    if (!rows.length) return this.line(this.s.dim(empty))
    const cells = rows.map((r) => columns.map((c) => clean(c.get(r))))
    const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((row) => width(row[i]!))))
    const max = this.stdout.isTTY ? this.stdout.columns : undefined
    if (max) {
      const over = widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1) - max
      const fi = columns.findIndex((c) => c.flex)
      if (over > 0 && fi >= 0) widths[fi] = Math.max(width(columns[fi]!.header), widths[fi]! - over)
    }
    const render = (values: string[], styleRow?: R) =>
      values
        .map((v, i) => {
          const c = columns[i]!
          const text = pad(truncate(v, widths[i]!), widths[i]!, c.align)
          return styleRow && c.style ? c.style(text, styleRow) : text
        })
        .join('  ')
        .trimEnd()
    this.line(this.s.bold(render(columns.map((c) => c.header))))
    cells.forEach((row, i) => this.line(render(row, rows[i])))
  }
}
