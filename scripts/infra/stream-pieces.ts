/**
 * Reads a text stream to its end (a read error ends it too), calling `onPiece` for every piece
 * ended by `separator` (lines with '\n', server-sent event blocks with '\n\n'). Resolves to
 * the unterminated rest.
 */
export async function forEachPiece(stream: ReadableStream<Uint8Array>, separator: string, onPiece: (piece: string) => void): Promise<string> {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let buf = ''
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }))
    if (done) return buf
    buf += decoder.decode(value, { stream: true })
    let end: number
    while ((end = buf.indexOf(separator)) >= 0) {
      const piece = buf.slice(0, end)
      buf = buf.slice(end + separator.length)
      onPiece(piece)
    }
  }
}
