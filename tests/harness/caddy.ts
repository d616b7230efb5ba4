// Debian's Caddy with deploy/caddy/Caddyfile (the file we ship), on free loopback ports with its
// own data directory, in front of a gateway. `tls internal`: Caddy's local CA signs the
// certificate; `ca` is that CA's root, for clients that check it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitForPort } from '../../scripts/infra/ports.ts'
import { ROOT } from '../../scripts/infra/processes.ts'
import { eventually } from './services.ts'

export const CADDYFILE = join(ROOT, 'deploy', 'caddy', 'Caddyfile')

export type Caddy = { url: string; port: number; ca: string; logs: string[]; stop: () => Promise<void> }

export async function startCaddy(upstream: string, domain = 'localhost'): Promise<Caddy> {
  const home = mkdtempSync(join(tmpdir(), 'kickmon-caddy-'))
  const [https, http, admin] = [await freePort(), await freePort(), await freePort()]
  const logs: string[] = []
  const proc = Bun.spawn(['caddy', 'run', '--adapter', 'caddyfile', '--config', CADDYFILE], {
    cwd: home, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home,
      KICKMON_DOMAIN: domain, KICKMON_TLS: 'internal', KICKMON_UPSTREAM: upstream,
      CADDY_HTTPS_PORT: String(https), CADDY_HTTP_PORT: String(http), CADDY_ADMIN: `127.0.0.1:${admin}`,
    },
  })
  for (const s of [proc.stdout, proc.stderr]) void new Response(s).text().then((t) => logs.push(...t.split('\n')))
  await waitForPort(https)
  const caPath = join(home, 'caddy', 'pki', 'authorities', 'local', 'root.crt')
  let ca = ''
  await eventually(() => {
    try {
      ca = readFileSync(caPath, 'utf8')
      return ca.includes('BEGIN CERTIFICATE')
    } catch {
      return false
    }
  }, 15_000, "Caddy's local CA")
  return {
    url: `https://${domain}:${https}`, port: https, ca, logs,
    stop: async () => {
      proc.kill('SIGTERM')
      // Open streams get the Caddyfile's grace period; a test does not wait that long.
      if (!(await Promise.race([proc.exited.then(() => true), Bun.sleep(3000).then(() => false)]))) proc.kill('SIGKILL')
      await proc.exited
      rmSync(home, { recursive: true, force: true })
    },
  }
}
