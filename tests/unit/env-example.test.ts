import { expect, test } from 'bun:test'
import { join } from 'node:path'
import type { z } from 'zod'
import { CliEnvSchema } from '../../cli/src/env.ts'
import { AuthConfigSchema } from '../../services/auth/src/config.ts'
import { GatewayConfigSchema } from '../../services/gateway/src/config.ts'
import { KickSimConfigSchema } from '../../services/kick-sim/src/config.ts'
import { NotifierConfigSchema } from '../../services/notifier/src/config.ts'
import { NotifySimConfigSchema } from '../../services/notify-sim/src/config.ts'
import { PollerConfigSchema } from '../../services/poller/src/config.ts'

// .env.example is where people learn the settings: every variable a service (or the CLI) reads
// is there, under a [bracket] that names exactly what reads it, from each one's own schema.
const READERS: Record<string, z.ZodObject> = {
  poller: PollerConfigSchema, gateway: GatewayConfigSchema, auth: AuthConfigSchema, notifier: NotifierConfigSchema,
  'kick-sim': KickSimConfigSchema, 'notify-sim': NotifySimConfigSchema, kickmon: CliEnvSchema,
}

/** Each variable of .env.example with what its group says reads it: a comment line ending in [a, b] says so until the next `# ---`. */
async function documented(): Promise<Map<string, string[]>> {
  const text = await Bun.file(join(import.meta.dir, '..', '..', '.env.example')).text()
  const out = new Map<string, string[]>()
  let readers: string[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('# ---')) readers = []
    const bracket = /^#.*\[([^\]]+)\]\s*$/.exec(line)
    if (bracket) readers = bracket[1]!.split(',').map((s) => s.trim())
    const variable = /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(line)
    if (variable) out.set(variable[1]!, readers)
  }
  return out
}

test('.env.example names every setting the services read, and says which read it', async () => {
  const named = await documented()
  const readBy = new Map<string, string[]>()
  for (const [reader, schema] of Object.entries(READERS)) for (const k of Object.keys(schema.shape)) readBy.set(k, [...(readBy.get(k) ?? []), reader])
  expect([...readBy.keys()].filter((k) => !named.has(k))).toEqual([])
  for (const [k, readers] of readBy) expect(named.get(k)?.toSorted(), k).toEqual(readers.toSorted())
  // A variable no schema reads still says who does (bun run start, compose.yaml, the service runner).
  for (const [k, readers] of named) expect(readers.length, k).toBeGreaterThan(0)
})
