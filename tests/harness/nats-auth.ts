import { existsSync, rmSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { NodeConnectionOptions } from '@nats-io/transport-node'
import { ensureNatsAuth, type NatsAuthFiles } from '../../scripts/infra/nats-auth.ts'
import { natsAuthOptions } from '../../shared/src/nats-credentials.ts'
import { identityOptions } from '../../shared/src/nats-identity.ts'
import type { Identity } from '../../deploy/nats/permissions.ts'
import { atRunEnd } from './run-end.ts'

// Every nats-server a test starts runs with the shipped permissions (deploy/nats/permissions.ts),
// and every client, in-process service and child process connects as one of its identities,
// so a missing permission fails a test. One set of keys per test process, in a temporary dir.

let files: NatsAuthFiles | null = null
export function testNatsAuth(): NatsAuthFiles {
  // A worker thread of the test process (its own module instance) uses the same keys.
  const inherited = process.env.KICKMON_TEST_NATS_KEYS
  if (!files && inherited && existsSync(inherited)) files = ensureNatsAuth(inherited)
  if (!files) {
    const dir = mkdtempSync(join(tmpdir(), 'kickmon-nats-keys-'))
    files = ensureNatsAuth(join(dir, 'keys'))
    process.env.KICKMON_TEST_NATS_KEYS = files.dir
    atRunEnd(() => {
      rmSync(dir, { recursive: true, force: true })
      files = null
      delete process.env.KICKMON_TEST_NATS_KEYS
    })
  }
  return files
}

/** A test client connected as `identity` (the CLI's, an outsider's, a service's). */
export function connectAs(target: { url: string } | string, identity: Identity, opts: Partial<NodeConnectionOptions> = {}): Promise<NatsConnection> {
  const url = typeof target === 'string' ? target : target.url
  return connect({
    servers: url.split(',').map((s) => s.trim().replace(/^nats:\/\//, '')),
    name: `test-${identity}`,
    ...identityOptions(identity),
    ...natsAuthOptions({ NATS_NKEY_SEED_FILE: testNatsAuth().seeds[identity] }),
    ...opts,
  })
}

/** The environment a child process needs to connect as `identity`. */
export const natsEnv = (identity: Identity) => testNatsAuth().env(identity)
