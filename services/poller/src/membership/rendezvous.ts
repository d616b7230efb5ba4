/**
 * Rendezvous (highest-random-weight) hashing: every member scores every key and the
 * highest score owns it. All pollers compute the same answer from the same member list,
 * with no coordinator; when a member leaves only its keys move (each to whichever member
 * scores next), and a newcomer takes about 1/N of everyone's.
 */
export function ownerOf(key: string, members: readonly string[]): string | null {
  let best: string | null = null
  let bestScore = -1
  for (const m of members) {
    const score = Bun.hash.xxHash32(`${m}\u0000${key}`)
    // Ties (1 in 2^32) go to the smaller id, so everyone still agrees.
    if (score > bestScore || (score === bestScore && best !== null && m < best)) {
      best = m
      bestScore = score
    }
  }
  return best
}
