import { describe, expect, test } from 'bun:test'
import { open, seal } from './configstore.ts'

// Sealed configuration values: only the exact format seal() writes, with its full 16-byte GCM
// tag, opens. A shortened tag would make forging a value far cheaper where the runtime accepts
// one (Node accepts 4–16 bytes unless the length is pinned).
const deps = { config: { CONFIG_ENCRYPTION_KEY: 'ab'.repeat(32) } } as Parameters<typeof seal>[0]
const parts = (s: string) => s.split('.') as [string, string, string, string]
const join = (p: string[]) => p.join('.')

describe('configuration store sealing', () => {
  test('a sealed value opens under its own key only', () => {
    const stored = seal(deps, 'kick.client_secret', 'hunter2-but-longer')
    expect(open(deps, 'kick.client_secret', stored)).toBe('hunter2-but-longer')
    expect(() => open(deps, 'other.key', stored)).toThrow()
  })

  test('a tag shorter than 16 bytes is refused, even when it is a prefix of the right one', () => {
    const [v, iv, ct, tag] = parts(seal(deps, 'k', 'secret value'))
    const full = Buffer.from(tag, 'base64url')
    for (const n of [4, 8, 12, 15]) expect(() => open(deps, 'k', join([v, iv, ct, full.subarray(0, n).toString('base64url')]))).toThrow(/16 bytes/)
  })

  test('anything but the canonical v1.<nonce>.<ciphertext>.<tag> is refused', () => {
    const [v, iv, ct, tag] = parts(seal(deps, 'k', 'secret value'))
    for (const bad of [
      join([v, iv, ct, `${tag}!!`]), // characters base64url decoding would silently skip
      join([v, iv, ct, `${tag}AA`]), // a longer tag
      join([v, `${iv}??`, ct, tag]),
      join([v, iv, ct, tag, 'extra']),
      join(['v2', iv, ct, tag]),
    ])
      expect(() => open(deps, 'k', bad)).toThrow()
  })
})
