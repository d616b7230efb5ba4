import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { ConfigSchema } from '../../shared/src/config.ts'
import { AuthConfigSchema } from '../../services/auth/src/config.ts'
import { NotifierConfigSchema } from '../../services/notifier/src/config.ts'

// .env.example is where people learn the settings: every variable a service reads is there.
test('.env.example names every setting the services read', async () => {
  const text = await Bun.file(join(import.meta.dir, '..', '..', '.env.example')).text()
  const named = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]))
  const keys = [...Object.keys(ConfigSchema.shape), ...Object.keys(AuthConfigSchema.shape), ...Object.keys(NotifierConfigSchema.shape)]
  expect(keys.filter((k) => !named.has(k))).toEqual([])
})
