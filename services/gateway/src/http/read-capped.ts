/**
 * A body's bytes, at most `max` of them: past that the stream is cancelled, so the rest is never
 * buffered, and the answer is null. For bodies from outside: webhook deliveries, fetched images.
 */
export async function readCapped(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | null> {
  const reader = body.getReader()
  const parts: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => {})
      return null
    }
    parts.push(value)
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) (out.set(p, at), (at += p.byteLength))
  return out
}
