// Reads the dashboard's live feed the way htmx would apply it: every `<div id="row-<slug>" …>`
// in a message is that row's new state (OOB replace, append, or a snapshot of all rows);
// `hx-swap-oob="delete"` removes it. Only what the benchmarks and the checker need is parsed.

export type RowState = { live: boolean; viewers: number; stale: boolean }
/** `crc` identifies the row's exact text (duplicate detection without keeping the text). */
export type RowUpdate = { slug: string; row: RowState | null; text: string; crc: number }

const ROW = /<div id="row-([a-z0-9_-]{1,25})"([^>]*)>/g
const attr = (attrs: string, name: string) => attrs.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1]
/** Boolean data attributes: the gateway has written both "true"/"false" and "1"/"0". */
const yes = (v: string | undefined) => v === 'true' || v === '1'

/** The row updates in one feed message, in document order; `snapshot` when it replaces every row. */
export function parseFeedMessage(msg: string): { snapshot: boolean; updates: RowUpdate[] } {
  const snapshot = /<[a-z]+ id="rows"[^>]*hx-swap-oob="innerHTML"/.test(msg)
  const updates: RowUpdate[] = []
  const starts: { slug: string; attrs: string; index: number }[] = []
  for (const m of msg.matchAll(ROW)) starts.push({ slug: m[1]!, attrs: m[2]!, index: m.index! })
  for (let i = 0; i < starts.length; i++) {
    const { slug, attrs, index } = starts[i]!
    const text = msg.slice(index, starts[i + 1]?.index ?? msg.length)
    if (attr(attrs, 'hx-swap-oob') === 'delete') {
      updates.push({ slug, row: null, text, crc: Bun.hash.crc32(text) })
      continue
    }
    const cls = attr(attrs, 'class') ?? ''
    updates.push({
      slug,
      text,
      crc: Bun.hash.crc32(text),
      row: {
        live: yes(attr(attrs, 'data-live')),
        viewers: Number(attr(attrs, 'data-viewers') ?? 0),
        stale: yes(attr(attrs, 'data-stale')) || /(^|\s)stale(\s|$)/.test(cls),
      },
    })
  }
  return { snapshot, updates }
}
