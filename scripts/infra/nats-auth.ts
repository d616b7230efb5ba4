import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { createUser, fromSeed } from '@nats-io/nkeys'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { PERMISSIONS, type Identity, type Permissions } from '../../deploy/nats/permissions.ts'
import { natsAuthOptions, type NatsCredentials } from '../../shared/src/nats-credentials.ts'
import { identityOptions, inboxPrefix } from '../../shared/src/nats-identity.ts'

// nats-server authentication for every way of running kickmon (docs/nats.md "Identities and
// permissions"): one nkey user per identity, its seed in `<dir>/<identity>.nk` (mode 0600,
// generated once), the permission tables of deploy/nats/permissions.ts, and `auth.conf`, the
// nats-server include that ties each public key to its identity's permissions.

export const IDENTITIES = Object.keys(PERMISSIONS) as Identity[]

const quote = (s: string) => JSON.stringify(s)
const list = (xs: string[]) => `[${xs.map(quote).join(', ')}]`

function block(p: Permissions): string {
  const side = (allow: string[], deny?: string[]) => `{ allow: ${list(allow)}${deny?.length ? `, deny: ${list(deny)}` : ''} }`
  return [
    '{',
    `  publish: ${side([...p.publish, ...p.answers.map((id) => `${inboxPrefix(id)}.>`)], p.publishDeny)}`,
    `  subscribe: ${side(p.subscribe, p.subscribeDeny)}`,
    '}',
  ].join('\n')
}

/** The nats-server variables `$KICKMON_POLLER`, `$KICKMON_AUTH`, … (deploy/nats/permissions.conf). */
export function renderPermissions(): string {
  const head = '# Generated from deploy/nats/permissions.ts by `bun deploy/nats/render.ts`: edit that file, not this one.\n'
  return head + IDENTITIES.map((id) => `\nKICKMON_${id.toUpperCase()} = ${block(PERMISSIONS[id])}\n`).join('')
}

export type NatsUser = { identity: Identity; publicKey: string; /** the key file's name, for the comment */ name?: string }

/** The `authorization` block: each user's public key and its identity's permissions. */
export function renderAuthorization(users: NatsUser[], permissionsInclude = 'permissions.conf'): string {
  const lines = users.map((u) => `    { nkey: ${quote(u.publicKey)}, permissions: $KICKMON_${u.identity.toUpperCase()} } # ${u.name ?? u.identity}`)
  return `# nats-server users of kickmon (docs/nats.md). Public keys only; the seeds stay with their owners.\ninclude ${quote(permissionsInclude)}\n\nauthorization {\n  users = [\n${lines.join('\n')}\n  ]\n}\n`
}

const writePrivate = (path: string, text: string) => {
  writeFileSync(path, text, { mode: 0o600 })
  chmodSync(path, 0o600) // an existing file keeps its old mode otherwise
}

/** Reads `<dir>/<identity>.nk`, creating it (mode 0600) the first time. */
export function ensureSeed(dir: string, identity: Identity): NatsUser & { seedFile: string } {
  const seedFile = join(dir, `${identity}.nk`)
  if (!existsSync(seedFile)) writePrivate(seedFile, `${new TextDecoder().decode(createUser().getSeed())}\n`)
  const publicKey = fromSeed(new TextEncoder().encode(readFileSync(seedFile, 'utf8').trim())).getPublicKey()
  return { identity, publicKey, seedFile }
}

export type NatsAuthFiles = {
  dir: string
  /** The file to pass to nats-server with `-c` (or include from your own config). */
  authConf: string
  seeds: Record<Identity, string>
  /** The password nats-server nodes of one cluster present to each other on their routes. */
  routePassword: string
  /** `{ NATS_NKEY_SEED_FILE }` for a process running as `identity`. */
  env: (identity: Identity) => { NATS_NKEY_SEED_FILE: string }
}

/**
 * Keys for every identity under `dir`, generated once (seeds 0600), and the nats-server files
 * that admit them (auth.conf and permissions.conf hold public keys only: 0644). The directory is
 * 0711, so nats-server, running as another user, can read those two without listing the seeds.
 */
export function ensureNatsAuth(dir: string): NatsAuthFiles {
  mkdirSync(dir, { recursive: true, mode: 0o711 })
  chmodSync(dir, 0o711)
  const users = IDENTITIES.map((id) => ensureSeed(dir, id))
  const seeds = Object.fromEntries(users.map((u) => [u.identity, u.seedFile])) as Record<Identity, string>
  const authConf = writeServerFiles(dir)
  const routeFile = join(dir, 'route-password')
  if (!existsSync(routeFile)) writePrivate(routeFile, `${randomBytes(24).toString('hex')}\n`)
  const routePassword = readFileSync(routeFile, 'utf8').trim()
  return { dir, authConf, seeds, routePassword, env: (identity) => ({ NATS_NKEY_SEED_FILE: seeds[identity] }) }
}

/** A one-off client (scripts, seeding the demo) as `identity` with the given credentials. */
export function connectWith(url: string, identity: Identity, creds: NatsCredentials, opts: { timeout?: number } = {}): Promise<NatsConnection> {
  return connect({ servers: url.split(',').map((s) => s.trim().replace(/^nats:\/\//, '')), name: `kickmon-${identity}`, ...identityOptions(identity), ...natsAuthOptions(creds), ...opts })
}

// Key files: `<identity>.nk` (the one each component uses), `<identity>-<name>.nk` (more users
// with the same permissions, e.g. one per outside subscriber), and `<…>.nk.old` (a key being
// rotated out, still admitted until `dropOldKeys`). Every one of them is a user in auth.conf.
const KEY_FILE = new RegExp(`^(${IDENTITIES.join('|')})(-[a-z0-9_-]{1,40})?\\.nk(\\.old)?$`)

/** Every key file in `dir` as a nats-server user. */
export function keyFiles(dir: string): (NatsUser & { file: string })[] {
  return readdirSync(dir)
    .filter((f) => KEY_FILE.test(f))
    .sort()
    .map((f) => {
      const identity = KEY_FILE.exec(f)![1] as Identity
      const publicKey = fromSeed(new TextEncoder().encode(readFileSync(join(dir, f), 'utf8').trim())).getPublicKey()
      return { identity, publicKey, name: f, file: join(dir, f) }
    })
}

/** (Re)writes permissions.conf and auth.conf from the tables and the key files; returns auth.conf's path. */
export function writeServerFiles(dir: string): string {
  const publicFile = (path: string, text: string) => {
    writeFileSync(path, text, { mode: 0o644 })
    chmodSync(path, 0o644)
  }
  publicFile(join(dir, 'permissions.conf'), renderPermissions())
  const authConf = join(dir, 'auth.conf')
  publicFile(authConf, renderAuthorization(keyFiles(dir)))
  return authConf
}

/** One more user for `identity` (e.g. `subscriber-acme`), with that identity's permissions. */
export function addKey(dir: string, identity: Identity, name: string): string {
  const file = join(dir, `${identity}-${name}.nk`)
  if (!KEY_FILE.test(`${identity}-${name}.nk`)) throw new Error(`a key name is 1 to 40 of a-z 0-9 _ - (got "${name}")`)
  if (existsSync(file)) throw new Error(`${file} exists already`)
  writePrivate(file, `${new TextDecoder().decode(createUser().getSeed())}\n`)
  writeServerFiles(dir)
  return file
}

/** A new key in `<base>.nk`; the old one moves to `<base>.nk.old` and stays admitted until dropOldKeys. */
export function rotateKey(dir: string, base: string): string {
  const file = join(dir, `${base}.nk`)
  if (!KEY_FILE.test(`${base}.nk`) || !existsSync(file)) throw new Error(`there is no key ${base}.nk in ${dir}`)
  renameSync(file, `${file}.old`)
  writePrivate(file, `${new TextDecoder().decode(createUser().getSeed())}\n`)
  writeServerFiles(dir)
  return file
}

/** Stop admitting rotated-out keys. */
export function dropOldKeys(dir: string): string[] {
  const old = readdirSync(dir).filter((f) => f.endsWith('.nk.old'))
  for (const f of old) rmSync(join(dir, f))
  writeServerFiles(dir)
  return old
}
