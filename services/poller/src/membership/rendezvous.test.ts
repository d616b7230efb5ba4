import { describe, expect, test } from 'bun:test'
import { ownerOf } from './rendezvous.ts'

const keys = Array.from({ length: 3000 }, (_, i) => `streamer_${i}`)
const owners = (members: string[]) => new Map(keys.map((k) => [k, ownerOf(k, members)]))

describe('rendezvous hashing', () => {
  test('every key has exactly one owner, the same whatever order the members are listed in', () => {
    const a = owners(['p-1', 'p-2', 'p-3'])
    const b = owners(['p-3', 'p-1', 'p-2'])
    expect([...a.values()].every((o) => o !== null)).toBe(true)
    expect(b).toEqual(a)
    expect(ownerOf('x', [])).toBeNull()
  })

  test('the share is fair: each of three members owns about a third', () => {
    const counts = new Map<string, number>()
    for (const o of owners(['p-1', 'p-2', 'p-3']).values()) counts.set(o!, (counts.get(o!) ?? 0) + 1)
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(150)
  })

  test('a member leaving moves only its own keys; one joining takes only what it now owns', () => {
    const three = owners(['p-1', 'p-2', 'p-3'])
    const two = owners(['p-1', 'p-3'])
    for (const k of keys) if (three.get(k) !== 'p-2') expect(two.get(k)).toBe(three.get(k)!)
    const four = owners(['p-1', 'p-2', 'p-3', 'p-4'])
    for (const k of keys) if (four.get(k) !== 'p-4') expect(four.get(k)).toBe(three.get(k)!)
  })
})
