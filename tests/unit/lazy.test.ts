import { describe, expect, test } from 'bun:test'
import { LazyImportError, lazyImport, lazyRequire } from '../../shared/src/lazy.ts'

// A specifier the type checker cannot see, for a package that is not installed.
const MISSING = ['kickmon', 'no-such-package'].join('-')

describe('modules imported on first use', () => {
  test('loaded once, on the first call, and the same module after', async () => {
    let loads = 0
    const zod = lazyImport('zod', 'a test', () => (loads++, import('zod')))
    expect(loads).toBe(0)
    const [a, b] = await Promise.all([zod(), zod()])
    expect(a.z.string().parse('x')).toBe('x')
    expect(b).toBe(a)
    expect(await zod()).toBe(a)
    expect(loads).toBe(1)
  })

  test('a module that fails to load rejects every caller at once with an error naming it and its purpose; the next call tries again', async () => {
    let loads = 0
    const missing = lazyImport(MISSING, 'drawing things', () => (loads++, import(MISSING)))
    const both = await Promise.allSettled([missing(), missing()])
    for (const r of both) {
      expect(r.status).toBe('rejected')
      const e = (r as PromiseRejectedResult).reason
      expect(e).toBeInstanceOf(LazyImportError)
      expect(e.message).toStartWith(`could not load ${MISSING} (needed for drawing things): `)
      expect(e.message).toContain(MISSING) // the loader's own reason follows
    }
    expect(loads).toBe(1)
    await expect(missing()).rejects.toBeInstanceOf(LazyImportError)
    expect(loads).toBe(2)
  })

  test('the synchronous form: loaded on the first call, a failure thrown at once with the same message', () => {
    let loads = 0
    const zod = lazyRequire('zod', 'a test', () => (loads++, require('zod') as typeof import('zod')))
    expect(loads).toBe(0)
    expect(zod().z.number().parse(1)).toBe(1)
    expect(zod()).toBe(zod())
    expect(loads).toBe(1)
    const missing = lazyRequire(MISSING, 'drawing things', () => require(MISSING))
    expect(() => missing()).toThrow(`could not load ${MISSING} (needed for drawing things): `)
    expect(() => missing()).toThrow(LazyImportError)
  })
})
