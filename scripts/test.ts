// Runs the whole suite with `bun test` and ends with the plain line CI reads:
// "N passed, N failed". Exit status is non-zero on any failure or when no test ran.
const args = process.argv.slice(2)
const proc = Bun.spawn(['bun', 'test', '--timeout', '120000', ...args], { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore', env: process.env })

let tail = ''
async function pump(stream: ReadableStream<Uint8Array>, out: NodeJS.WriteStream) {
  const decoder = new TextDecoder()
  const reader = stream.getReader()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    const text = decoder.decode(value, { stream: true })
    out.write(text)
    tail = (tail + text).slice(-20_000)
  }
}
await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)])
const code = await proc.exited

const num = (re: RegExp) => Number(tail.match(re)?.[1] ?? 0)
const passed = num(/^\s*(\d+) pass\s*$/m)
const failed = num(/^\s*(\d+) fail\s*$/m)
const errors = num(/^\s*(\d+) errors?\s*$/m)
console.log(`${passed} passed, ${failed + errors} failed`)
process.exit(code !== 0 || failed + errors > 0 || passed === 0 ? 1 : 0)

export {}
