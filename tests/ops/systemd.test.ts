import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { ROOT } from './dockerfile.ts'
import { BUNDLED, bundleFor } from '../../scripts/infra/bundles.ts'
import { CHROMIUM_FLAGS } from '../../services/poller/src/browser/shared-browser.ts'

// deploy/systemd: the units parse and verify (systemd-analyze, offline), are hardened to a
// low exposure score, point at files that exist, and the browser fallback's Chromium runs as
// an unprivileged user under the same credential limits the poller unit sets.

const DIR = join(ROOT, 'deploy', 'systemd')
const SERVICES = ['auth', 'poller', 'gateway', 'notifier'] as const
const UNITS = [...SERVICES.map((s) => `kickmon-${s}.service`), 'kickmon-migrate.service', 'kickmon.target']

type Unit = Map<string, Map<string, string[]>>
/** Sections → keys → every value given (a key may repeat, an empty value resets a list). */
function parseUnit(text: string): Unit {
  const u: Unit = new Map()
  let section = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) continue
    const s = /^\[(.+)\]$/.exec(line)
    if (s) {
      section = s[1]!
      u.set(section, new Map())
      continue
    }
    const eq = line.indexOf('=')
    const [k, v] = [line.slice(0, eq).trim(), line.slice(eq + 1).trim()]
    const sec = u.get(section)!
    sec.set(k, [...(sec.get(k) ?? []), v])
  }
  return u
}
const unit = (name: string) => parseUnit(readFileSync(join(DIR, name), 'utf8'))
const get = (u: Unit, section: string, key: string) => u.get(section)?.get(key)?.at(-1)
const words = (u: Unit, section: string, key: string) => (u.get(section)?.get(key) ?? []).flatMap((v) => v.split(/\s+/)).filter(Boolean)

const analyze = Bun.which('systemd-analyze')

describe('systemd units', () => {
  let root: string | null = null
  beforeAll(() => {
    // Only systemd-analyze needs it; without systemd there are no units of its own to copy.
    if (!analyze) return
    // An offline root: systemd's own units, ours where an install puts them, the programs
    // ExecStart names (stand-ins: verify only checks they exist and are executable).
    root = mkdtempSync(join(tmpdir(), 'kickmon-systemd-'))
    mkdirSync(join(root, 'usr/lib/systemd'), { recursive: true })
    cpSync('/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true })
    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true })
    for (const u of readdirSync(DIR).filter((f) => /\.(service|target)$/.test(f))) cpSync(join(DIR, u), join(root, 'etc/systemd/system', u))
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true })
    writeFileSync(join(root, 'usr/local/bin/bun'), '#!/bin/sh\n', { mode: 0o755 })
  })
  afterAll(() => root && rmSync(root, { recursive: true, force: true }))

  // Skipped, and reported as skipped, where systemd-analyze is missing (apt-get install systemd).
  test.skipIf(!analyze)('systemd-analyze verify: no errors or warnings for any unit', async () => {
    if (!analyze) return
    const p = Bun.spawn([analyze, 'verify', `--root=${root}`, ...UNITS], { cwd: join(root!, 'etc/systemd/system'), stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
    expect(out + err).toBe('')
    expect(code).toBe(0)
  })

  test.skipIf(!analyze)('systemd-analyze security: every service scores "OK" (exposure ≤ 2.0 of 10)', async () => {
    if (!analyze) return
    for (const u of UNITS.filter((x) => x.endsWith('.service'))) {
      const p = Bun.spawn([analyze, 'security', '--offline=true', `--root=${root}`, '--no-pager', u], { stdout: 'pipe', stderr: 'pipe' })
      const out = await new Response(p.stdout).text()
      await p.exited
      const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(out)?.[1])
      expect(score, u).toBeLessThanOrEqual(2)
    }
  })

  test('each service: its own user, the hardening asked for, ordering after PostgreSQL and NATS, restart on failure', () => {
    for (const s of SERVICES) {
      const u = unit(`kickmon-${s}.service`)
      const svc = (k: string) => get(u, 'Service', k)
      expect([svc('User'), svc('Group')], s).toEqual(['kickmon', 'kickmon'])
      for (const [k, v] of Object.entries({ NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes', CapabilityBoundingSet: '', AmbientCapabilities: '', RestrictNamespaces: 'yes', RestrictSUIDSGID: 'yes', LockPersonality: 'yes', SystemCallArchitectures: 'native', Restart: 'on-failure', StateDirectory: `kickmon/${s}` }))
        expect(svc(k), `${s} ${k}`).toBe(v)
      expect(u.get('Service')!.get('SystemCallFilter'), s).toEqual(['@system-service', '~@privileged'])
      expect(words(u, 'Service', 'RestrictAddressFamilies').sort(), s).toEqual(expect.arrayContaining(['AF_INET', 'AF_INET6', 'AF_UNIX']))
      const after = words(u, 'Unit', 'After')
      expect(after, s).toContain('nats-server.service')
      if (s !== 'gateway') expect(after, s).toContain('postgresql.service')
      expect(after, s).toContain('kickmon-migrate.service')
      expect(get(u, 'Unit', 'PartOf'), s).toBe('kickmon.target')
      expect(get(u, 'Install', 'WantedBy'), s).toBe('kickmon.target')
      // Longer than the 12 s a service takes at most to drain after SIGTERM.
      expect(Number.parseInt(svc('TimeoutStopSec')!), s).toBeGreaterThan(12)
      // The program it runs is the service's bundle where the install's build step (`bun run
      // build`, docs/operations.md) writes it in the repository (/opt/kickmon), built from its
      // source, which exists.
      const [bin, entry] = svc('ExecStart')!.split(/\s+/)
      expect(bin, s).toBe('/usr/local/bin/bun')
      expect(entry, s).toBe(join('/opt/kickmon', relative(ROOT, bundleFor(BUNDLED[s])!)))
      expect(existsSync(join(ROOT, BUNDLED[s])), `${s}: ${BUNDLED[s]}`).toBe(true)
    }
    // Only the poller (Chromium) needs netlink and all of /proc.
    expect(words(unit('kickmon-poller.service'), 'Service', 'RestrictAddressFamilies')).toContain('AF_NETLINK')
    for (const s of ['auth', 'gateway']) expect(get(unit(`kickmon-${s}.service`), 'Service', 'ProcSubset'), s).toBe('pid')
  })

  test('the target pulls in migrate and the three services; migrate is a one-shot running the CLI', () => {
    const t = unit('kickmon.target')
    expect(words(t, 'Unit', 'Wants').sort()).toEqual(['kickmon-auth.service', 'kickmon-gateway.service', 'kickmon-migrate.service', 'kickmon-notifier.service', 'kickmon-poller.service'])
    expect(get(t, 'Install', 'WantedBy')).toBe('multi-user.target')
    const m = unit('kickmon-migrate.service')
    expect(get(m, 'Service', 'Type')).toBe('oneshot')
    expect(get(m, 'Service', 'ExecStart')).toBe('/usr/local/bin/bun /opt/kickmon/cli/src/main.ts db migrate')
    expect(words(m, 'Unit', 'After')).toContain('postgresql.service')
    const sysusers = readFileSync(join(DIR, 'kickmon.sysusers.conf'), 'utf8')
    expect(sysusers).toMatch(/^u kickmon - "[^"]+" \/var\/lib\/kickmon \/usr\/sbin\/nologin$/m)
  })

  test("Chromium runs as an unprivileged user under the poller unit's limits (no new privileges, no capabilities)", async () => {
    const home = mkdtempSync(join(tmpdir(), 'kickmon-svc-home-'))
    // The unprivileged user runs a copy: the checkout may be where it cannot read (root's 0700 home).
    cpSync(join(import.meta.dir, 'fixtures', 'chromium-visit.ts'), join(home, 'chromium-visit.ts'))
    cpSync(join(ROOT, 'node_modules', 'playwright-core'), join(home, 'node_modules', 'playwright-core'), { recursive: true, dereference: true })
    const asRoot = process.getuid?.() === 0
    if (asRoot) chownSync(home, 65534, 65534)
    // NoNewPrivileges=yes, CapabilityBoundingSet= and an unprivileged User=, as setpriv gives them.
    const drop = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs', '--bounding-set=-all', '--inh-caps=-all'] : ['setpriv', '--no-new-privs']
    const p = Bun.spawn([...drop, process.execPath, join(home, 'chromium-visit.ts')], {
      cwd: home, env: { PATH: '/usr/bin:/bin', HOME: home, TMPDIR: home, CHROMIUM_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', CHROMIUM_FLAGS_JSON: JSON.stringify(CHROMIUM_FLAGS) }, stdout: 'pipe', stderr: 'pipe',
    })
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
    rmSync(home, { recursive: true, force: true })
    expect(code, err).toBe(0)
    const r = JSON.parse(out.trim().split('\n').at(-1)!)
    expect(r.title).toBe('js ran: 42')
    if (asRoot) expect(r.uid).toBe(65534)
  })
})
