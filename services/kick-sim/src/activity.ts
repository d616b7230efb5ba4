import { makeTitle, pickCategory } from './names.ts'
import { createRng } from './rng.ts'
import { curve } from './viewers.ts'
import type { World } from './world.ts'

// Makes the world move on its own for demos: streams start, end, flap (end and restart
// within seconds), retitle, switch category, and viewer counts drift. Rates are per channel
// per minute at rate 1; with 12 channels that is a few visible changes a minute.
const PER_MIN = { start: 0.15, end: 0.12, title: 0.2, category: 0.06 }
const FLAP_SHARE = 0.25

export type ActivityOptions = { intervalMs?: number; rate?: number; seed: number }

export function startActivity(world: World, opts: ActivityOptions): () => void {
  const rng = createRng(opts.seed, 2)
  const intervalMs = opts.intervalMs ?? 1000
  const rate = opts.rate ?? 1
  let last = world.clock()

  const tick = (): void => {
    const now = world.clock()
    const dtMin = Math.min(1, (now - last) / 60_000) // cap catch-up after a stall
    last = now
    // Snapshot: handlers may add/remove channels while we iterate.
    for (const ch of [...world.channels()]) {
      if (ch.restartAt !== null && !ch.live) {
        if (now >= ch.restartAt) {
          world.beginStream(ch, now)
          world.emitStatus(ch, null)
        }
        continue
      }
      const p = (perMin: number): boolean => rng.chance(perMin * rate * dtMin)
      if (ch.live && ch.stream) {
        if (p(PER_MIN.end)) {
          const ended = world.endStream(ch, now)
          if (rng.chance(FLAP_SHARE)) ch.restartAt = now + rng.int(3, 12) * 1000
          world.emitStatus(ch, ended)
          continue
        }
        if (p(PER_MIN.title)) {
          ch.title = makeTitle(rng, ch.category?.name ?? 'Just Chatting')
          world.emitMetadata(ch)
        }
        if (p(PER_MIN.category)) {
          ch.category = pickCategory(rng)
          world.emitMetadata(ch)
        }
        const target = ch.popularity * curve((now - ch.stream.startedAt) / 1000)
        const drift = (target - ch.viewers) * 0.1 + ch.viewers * 0.02 * rng.normal()
        world.setViewers(ch, Math.max(1, Math.round(ch.viewers + drift)))
      } else if (p(PER_MIN.start)) {
        world.beginStream(ch, now)
        world.emitStatus(ch, null)
      }
    }
  }

  const timer = setInterval(tick, intervalMs)
  return () => clearInterval(timer)
}
