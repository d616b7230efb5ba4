import { z } from 'zod'
import { NewChannelSchema } from './control.ts'
import { FaultsSchema } from './faults.ts'
import type { World } from './world.ts'

// A scenario file (env KICK_SIM_SCENARIO) sets up faults and channels at start, e.g.
// {"faults": {"errorRate": 0.05}, "channels": [{"slug": "demo_live", "live": true, "viewers": 1200}]}.
// A listed channel that exists is patched; a new one is added.

export const ScenarioSchema = z.strictObject({
  faults: FaultsSchema.optional(),
  channels: z.array(NewChannelSchema).optional(),
  remove: z.array(z.string()).optional(),
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
})

export type Scenario = z.infer<typeof ScenarioSchema>

export async function loadScenario(path: string): Promise<Scenario> {
  const file = Bun.file(path)
  if (!(await file.exists())) throw new Error(`scenario file not found: ${path}`)
  let raw: unknown
  try {
    raw = await file.json()
  } catch (e) {
    throw new Error(`scenario file ${path} is not valid JSON: ${(e as Error).message}`)
  }
  const r = ScenarioSchema.safeParse(raw)
  if (!r.success) throw new Error(`scenario file ${path}: ${z.prettifyError(r.error)}`)
  return r.data
}

export function applyScenarioChannels(world: World, s: Scenario): void {
  for (const slug of s.remove ?? []) world.remove(slug)
  for (const c of s.channels ?? []) {
    const { slug, username: _, ...patch } = c
    if (world.bySlug(slug)) {
      if (Object.keys(patch).length > 0) world.update(slug, patch)
    } else world.add(c)
  }
}
