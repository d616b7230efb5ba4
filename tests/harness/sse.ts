import { forEachPiece } from '../../scripts/infra/stream-pieces.ts'

/**
 * Reads a server-sent event stream until it ends, calling `onEvent` for every block that
 * has an `event:` and a `data:` line. Resolves when the stream closes (or errors).
 */
export async function readSse(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void): Promise<void> {
  await forEachPiece(body, '\n\n', (block) => {
    const event = /^event: (.+)$/m.exec(block)?.[1]
    const data = /^data: (.+)$/m.exec(block)?.[1]
    if (event && data) onEvent(event, data)
  })
}
