import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { freePort } from '../../scripts/infra/ports.ts'

// The test stacks' ports. One from the kernel's ephemeral range could be taken by any outgoing
// connection (a database or NATS client) before the service bound it; the service then could
// not listen for as long as that connection lived (seen in CI: /readyz refused for 60 s).
test('free ports lie below the range outgoing connections use, are never handed out twice, and can be listened on', async () => {
  const lo = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
  const ports = await Promise.all(Array.from({ length: 300 }, () => freePort()))
  expect(new Set(ports).size).toBe(ports.length)
  expect(ports.filter((p) => p < 10_000 || p >= lo)).toEqual([])
  const srv = createServer()
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(ports[0], '127.0.0.1', resolve))
  srv.close()
})
