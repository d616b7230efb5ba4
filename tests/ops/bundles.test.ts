import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUNDLE_DIR, BUNDLED, buildBundles } from '../../scripts/infra/bundles.ts'
import { ROOT, runFromBundles } from '../../scripts/infra/processes.ts'
import { readMigrations } from '../../shared/src/migrate.ts'
import { eventually } from '../harness/services.ts'
import { testStack } from '../harness/stack.ts'

// The services as `bun run start` and the systemd units run them: each bundled into one file
// (scripts/infra/bundles.ts) and started from .build/ with its real environment. Every other
// test runs the sources; this one fails when bundling breaks what the sources get right: the
// files found at run time from the bundle's folder (sql/, web/, the packages' own files) and
// the packages that must stay lazily imported.

type Stack = Awaited<ReturnType<typeof testStack>>
const cmdline = (pid: number | null) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
const port = (s: Stack, name: 'auth' | 'poller' | 'gateway' | 'notifier') => s.env[`${name.toUpperCase()}_PORT`]

beforeAll(async () => {
  expect(await buildBundles()).toEqual(Object.keys(BUNDLED).map((n) => `.build/${n}.js`))
  runFromBundles()
}, 60_000)
// The switch is the test process's: the test files after this one run the sources again.
afterAll(() => runFromBundles(false))

test('the lazily imported packages stay out of the bundles, and each bundle links its source map', () => {
  const text = (name: string) => readFileSync(join(BUNDLE_DIR, `${name}.js`), 'utf8')
  for (const name of ['poller', 'one-process']) {
    expect(text(name), name).toContain('await import("playwright-core")')
    expect(text(name), name).not.toContain('// node_modules/playwright-core/')
  }
  expect(text('notifier')).toContain('await import("nodemailer")')
  expect(text('notifier')).not.toContain('// node_modules/nodemailer/')
  for (const name of Object.keys(BUNDLED)) {
    expect(text(name).trimEnd().endsWith(`//# sourceMappingURL=${name}.js.map`), name).toBe(true)
    const map = JSON.parse(readFileSync(join(BUNDLE_DIR, `${name}.js.map`), 'utf8')) as { sources: string[] }
    expect(map.sources, name).toContain(`../${BUNDLED[name as keyof typeof BUNDLED]}`)
  }
})

describe('three processes and the notifier, each from its bundle', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await testStack()
  }, 120_000)
  afterAll(async () => {
    await stack?.destroy()
  })

  test('each runs .build/<service>.js and answers /healthz and /readyz', async () => {
    for (const name of ['auth', 'poller', 'gateway', 'notifier'] as const) {
      expect(cmdline(stack.procs.get(name)!.pid), name).toContain(join(ROOT, '.build', `${name}.js`))
      const health = await fetch(`http://127.0.0.1:${port(stack, name)}/healthz`)
      expect(health.status, name).toBe(200)
      expect(((await health.json()) as { service: string }).service).toBe(name)
      expect((await fetch(`http://127.0.0.1:${port(stack, name)}/readyz`)).status, name).toBe(200)
    }
  })

  test("the gateway serves web/'s files and htmx's and uPlot's from their packages", async () => {
    const files = { 'app.js': join(ROOT, 'web', 'js', 'app.js'), 'app.css': join(ROOT, 'web', 'css', 'app.css'), 'htmx.min.js': require.resolve('htmx.org/dist/htmx.min.js'), 'uPlot.iife.min.js': require.resolve('uplot/dist/uPlot.iife.min.js') }
    for (const [file, path] of Object.entries(files)) {
      const r = await fetch(`${stack.gatewayUrl}/assets/${file}`)
      expect(r.status, file).toBe(200)
      expect(await r.text(), file).toBe(readFileSync(path, 'utf8'))
    }
    // What every page loads: htmx, then its WebSocket extension, then app.js, in one script.
    const page = await (await fetch(`${stack.gatewayUrl}/assets/kickmon.js`)).text()
    const at = ['htmx.org/dist/htmx.min.js', 'htmx.org/dist/ext/hx-ws.js'].map((m) => page.indexOf(readFileSync(require.resolve(m), 'utf8').replace(/^\/\/# sourceMappingURL=.*$/gm, '').trim()))
    at.push(page.indexOf(readFileSync(files['app.js'], 'utf8').trim()))
    expect(at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1]!)), `kickmon.js holds htmx, hx-ws and app.js in that order: ${at}`).toBe(true)
  })

  test('the gateway draws a badge from its bundle (badge-maker is loaded on the first one)', async () => {
    const r = await fetch(`${stack.gatewayUrl}/badge/nobody-watched.svg`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toStartWith('image/svg+xml')
    const svg = await r.text()
    expect(svg).toStartWith('<svg')
    expect(svg.toLowerCase()).toContain('not found')
  })

  test('the schema version each bundled service expects is the last migration in sql/', async () => {
    // /readyz compares the database's schema with the newest file in sql/, which each service
    // found from its bundle's folder when it started: one migration taken back, each says so.
    const last = (await readMigrations()).at(-1)!
    const [row] = await stack.db.sql`delete from schema_migrations where version = ${last.version} returning *`
    try {
      for (const name of ['auth', 'poller', 'notifier'] as const) {
        const r = await fetch(`http://127.0.0.1:${port(stack, name)}/readyz`)
        expect(r.status, name).toBe(503)
        expect(await r.text(), name).toContain(`expected ${last.version}: run migrations`)
      }
    } finally {
      await stack.db.sql`insert into schema_migrations ${stack.db.sql(row!)}`
    }
    for (const name of ['auth', 'poller', 'notifier'] as const)
      await eventually(async () => (await fetch(`http://127.0.0.1:${port(stack, name)}/readyz`)).ok, 5000, `${name} ready again`)
  })
})

describe('ONE_PROCESS=on from its bundle', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await testStack({ env: { ONE_PROCESS: 'on' }, services: ['auth', 'poller', 'gateway'] })
  }, 120_000)
  afterAll(async () => {
    await stack?.destroy()
  })

  test('auth, poller and gateway run .build/one-process.js, each ready, and the gateway serves its files', async () => {
    const pid = stack.procs.get('gateway')!.pid
    expect(cmdline(pid)).toContain(join(ROOT, '.build', 'one-process.js'))
    for (const name of ['auth', 'poller', 'gateway'] as const) {
      expect(stack.procs.get(name)!.pid, name).toBe(pid)
      expect((await fetch(`http://127.0.0.1:${port(stack, name)}/readyz`)).status, name).toBe(200)
    }
    for (const file of ['kickmon.js', 'htmx.min.js']) expect((await fetch(`${stack.gatewayUrl}/assets/${file}`)).status, file).toBe(200)
  })
})
