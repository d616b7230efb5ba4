// A stream's audience: ramps up over the first ~10 minutes, holds, then slowly bleeds
// after a few hours. `popularity` is the channel's typical peak.

export function curve(sinceStartS: number): number {
  const ramp = 1 - Math.exp(-Math.max(0, sinceStartS) / 600)
  const fade = sinceStartS > 3 * 3600 ? Math.exp(-(sinceStartS - 3 * 3600) / (4 * 3600)) : 1
  return Math.max(0.02, ramp * fade)
}

export function viewersAt(popularity: number, sinceStartS: number, wobble = 0): number {
  return Math.max(1, Math.round(popularity * curve(sinceStartS) * (1 + wobble)))
}

/** Log-normal peak audience: most channels are tiny, a few are huge (median ~60). */
export function popularityFrom(normal: number): number {
  return Math.min(150_000, Math.max(2, Math.round(Math.exp(Math.log(60) + 1.7 * normal))))
}
