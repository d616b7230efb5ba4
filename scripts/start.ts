// `bun run start`: the whole system in the foreground (docs/design.md#commands).
// PostgreSQL and NATS: DATABASE_URL / NATS_URL when given (they must be reachable), else
// private ones kept under .data/. Kick: the real one with credentials, any Kick-compatible
// server via KICK_API_URL/KICK_AUTH_URL, else kick-sim with a demo world. Ctrl-C stops all.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import postgres from 'postgres'
import { startLocalNats, type LocalNats } from './infra/nats.ts'
import { stackConfigProblems } from './infra/check-config.ts'
import { connectWith, ensureNatsAuth, type NatsAuthFiles } from './infra/nats-auth.ts'
import type { NatsCredentials } from '../shared/src/nats-credentials.ts'
import { adminSubject } from '../shared/src/contracts/auth-internal.ts'
import { NotifierApi } from '../shared/src/contracts/notifier.ts'
import { PollerApi } from '../shared/src/contracts/poller.ts'
import { startLocalPostgres, type LocalPostgres } from './infra/postgres.ts'
import { demoPostgresDir } from './infra/demo-state.ts'
import { demoServiceRoles } from './infra/demo-roles.ts'
import { BuildError, buildBundles } from './infra/bundles.ts'
import { ROOT, runFromBundles } from './infra/processes.ts'
import { prepareDatabase } from './infra/database.ts'
import { startStack, type Stack } from './infra/stack.ts'
import { prettyLine } from './pretty-log.ts'

const DATA = join(ROOT, '.data')
mkdirSync(DATA, { recursive: true })
const env = process.env
const say = (msg: string) => console.log(`\x1b[33mkickmon\x1b[0m ${msg}`)

/** Secrets and the first admin's password, generated once and kept in .data/ (mode 600). */
function persisted(name: string, make: () => string): string {
  const file = join(DATA, name)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const v = make()
  writeFileSync(file, v + '\n', { mode: 0o600 })
  return v
}
env.SESSION_SECRET ||= persisted('session-secret', () => randomBytes(32).toString('hex'))
env.SHARE_LINK_SECRET ||= persisted('share-link-secret', () => randomBytes(32).toString('hex'))
env.CONFIG_ENCRYPTION_KEY ||= persisted('config-key', () => randomBytes(32).toString('hex'))
env.NOTIFY_ENCRYPTION_KEY ||= persisted('notify-key', () => randomBytes(32).toString('hex'))
const adminUser = (env.ADMIN_USERNAME ||= 'admin')
// Only a password we generated is printed: one the user set is theirs, never echoed.
const generatedPassword = env.ADMIN_PASSWORD ? null : persisted('admin-password', () => randomBytes(9).toString('base64url'))
env.ADMIN_PASSWORD ||= generatedPassword!

// Fail fast, before anything starts, with one line per bad variable.
const problems = stackConfigProblems(env, !env.KICK_CLIENT_ID && !env.KICK_API_URL)
for (const line of problems) console.error(`config error: ${line}`)
if (problems.length) process.exit(1)

// The services run from their bundles, as the systemd units do (less memory than from sources);
// a build that fails stops here, before anything starts.
try {
  const t0 = performance.now()
  await buildBundles()
  runFromBundles()
  say(`services bundled into .build/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
} catch (e) {
  console.error(`kickmon: ${e instanceof BuildError ? `could not build the services: ${e.message}` : (e as Error).message}`)
  process.exit(1)
}

let pg: LocalPostgres | null = null
let nats: LocalNats | null = null
let natsAuth: NatsAuthFiles | null = null
let stack: Stack | null = null
let stopping = false

async function shutdown(code = 0) {
  if (stopping) return
  stopping = true
  say('stopping…')
  await stack?.stop().catch(() => {})
  await nats?.stop().catch(() => {})
  await pg?.stop().catch(() => {})
  say('stopped')
  process.exit(code)
}
process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))

async function reachablePostgres(url: string) {
  const sql = postgres(url.replace(/\/[^/]*$/, '/postgres'), { max: 1, connect_timeout: 5, onnotice: () => {} })
  try {
    await sql`select 1`
  } finally {
    await sql.end()
  }
}

/** A clear message now beats a service crash-looping on EADDRINUSE later. */
async function checkPortsFree() {
  const wanted: [string, number][] = [['GATEWAY_PORT', 8080], ['POLLER_PORT', 8081], ['AUTH_PORT', 8082], ['NOTIFIER_PORT', 8083]]
  if (!env.KICK_CLIENT_ID && !env.KICK_API_URL) wanted.push(['KICK_SIM_PORT', 8090], ['NOTIFY_SIM_PORT', 8091])
  for (const [name, d] of wanted) {
    const port = Number(env[name] ?? d)
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer().once('error', () => resolve(false)).listen(port, '0.0.0.0', () => srv.close(() => resolve(true)))
    })
    if (!free) throw new Error(`port ${port} (${name}) is already in use: stop what uses it or set ${name} to another port`)
  }
}

try {
  await checkPortsFree()
  if (env.DATABASE_URL) {
    say('using DATABASE_URL')
    await reachablePostgres(env.DATABASE_URL).catch((e) => {
      throw new Error(`DATABASE_URL is not reachable: ${(e as Error).message}`)
    })
  } else {
    pg = await startLocalPostgres({ dataDir: demoPostgresDir(ROOT, DATA) })
    env.DATABASE_URL = pg.url('kickmon')
    say(`PostgreSQL (private, ${pg.dataDir.startsWith(ROOT) ? '.data/postgres' : pg.dataDir}) on 127.0.0.1:${pg.port}`)
  }
  const applied = await prepareDatabase(env.DATABASE_URL)
  say(applied.length ? `migrations applied: ${applied.map((m) => m.file).join(', ')}` : 'database schema is up to date')
  // Auth and the poller as their own database roles, each with exactly its tables.
  const dbUrls = await demoServiceRoles(env.DATABASE_URL, (s) => persisted(`db-${s}-password`, () => randomBytes(18).toString('base64url'))).catch((e) => {
    say(`could not create the services' database roles (${(e as Error).message}); they share DATABASE_URL's role`)
    return null
  })
  if (dbUrls) say('database roles: kickmon_auth, kickmon_poller, kickmon_notifier')

  if (env.NATS_URL) {
    say('using NATS_URL')
    // With the credentials the operator gives (NATS_CREDS or NATS_NKEY_SEED_FILE), which every service inherits.
    const nc = await connectWith(env.NATS_URL, 'operator', env as NatsCredentials, { timeout: 5000 }).catch((e) => {
      throw new Error(`NATS_URL is not reachable: ${(e as Error).message}`)
    })
    await nc.close()
  } else {
    // Authentication on: one key per identity, generated once under .data/nats (docs/nats.md).
    natsAuth = ensureNatsAuth(join(DATA, 'nats'))
    nats = await startLocalNats({ storeDir: join(DATA, 'nats'), authConf: natsAuth.authConf })
    env.NATS_URL = nats.url
    say(`nats-server (private, .data/nats) on ${nats.url}, every connection authenticated`)
  }

  const useSim = !env.KICK_CLIENT_ID && !env.KICK_API_URL
  say(useSim ? 'no Kick credentials or KICK_API_URL: starting kick-sim with a demo world' : `Kick API: ${env.KICK_API_URL ?? 'https://api.kick.com'}`)
  stack = await startStack({
    databaseUrl: env.DATABASE_URL,
    natsUrl: env.NATS_URL,
    // KICK_SIM_WEBHOOK_URL, when set, overrides the default target (this gateway's /webhooks/kick).
    sim: useSim ? { channels: Number(env.KICK_SIM_CHANNELS ?? 12), activity: true, env: env.KICK_SIM_WEBHOOK_URL ? { KICK_SIM_WEBHOOK_URL: env.KICK_SIM_WEBHOOK_URL } : {} } : false,
    // The demo also gets the provider simulators, so an alert can be seen arriving and being edited.
    notifySim: useSim,
    env,
    // Each service gets only what it reads, as under compose and systemd (blank is unset).
    serviceEnv: {
      auth: { ...(dbUrls && { DATABASE_URL: dbUrls.auth }), KICK_CLIENT_SECRET: '', SHARE_LINK_SECRET: '', NOTIFY_ENCRYPTION_KEY: '' },
      poller: { ...(dbUrls && { DATABASE_URL: dbUrls.poller }), SESSION_SECRET: '', CONFIG_ENCRYPTION_KEY: '', ADMIN_PASSWORD: '', SHARE_LINK_SECRET: '', NOTIFY_ENCRYPTION_KEY: '' },
      gateway: { DATABASE_URL: '', SESSION_SECRET: '', CONFIG_ENCRYPTION_KEY: '', ADMIN_PASSWORD: '', KICK_CLIENT_SECRET: '', NOTIFY_ENCRYPTION_KEY: '' },
      notifier: { ...(dbUrls && { DATABASE_URL: dbUrls.notifier }), SESSION_SECRET: '', CONFIG_ENCRYPTION_KEY: '', ADMIN_PASSWORD: '', KICK_CLIENT_SECRET: '', SHARE_LINK_SECRET: '' },
    },
    natsAuth: natsAuth ?? undefined,
    sink: (service, line) => console.log(prettyLine(service, line, env.LOG_FORMAT === 'json')),
    ports: {
      gateway: Number(env.GATEWAY_PORT ?? 8080), poller: Number(env.POLLER_PORT ?? 8081),
      auth: Number(env.AUTH_PORT ?? 8082), notifier: Number(env.NOTIFIER_PORT ?? 8083),
      sim: Number(env.KICK_SIM_PORT ?? 8090), notifySim: Number(env.NOTIFY_SIM_PORT ?? 8091),
    },
  })
  if (useSim) await seedDemo(stack)
  say('')
  say(`dashboard:  ${stack.gatewayUrl.replace('127.0.0.1', 'localhost')}/`)
  say(`log in as:  ${adminUser} / ${generatedPassword ?? '(your ADMIN_PASSWORD)'}`)
  if (stack.simUrl) say(`kick-sim:   ${stack.simUrl}/_sim/channels (control API: docs/kick-sim.md)`)
  if (stack.notifySimUrl) say(`alerts:     ${stack.notifySimUrl.replace('127.0.0.1', 'localhost')}/ shows what the demo Discord channel received (docs/notifications.md)`)
  if (natsAuth) say(`NATS:       ${env.NATS_URL}, read-only key for your own subscribers: ${natsAuth.seeds.subscriber.replace(ROOT + '/', '')} (docs/nats.md)`)
  say('Ctrl-C stops everything.')
} catch (e) {
  console.error(`kickmon: ${(e as Error).message}`)
  await shutdown(1)
}

/** The demo monitors every kick-sim channel, added through the poller like a user would. */
async function seedDemo(s: Stack) {
  const channels = (await (await fetch(`${s.simUrl}/_sim/channels`)).json()) as { slug: string }[] | { data: { slug: string }[] }
  const slugs = (Array.isArray(channels) ? channels : channels.data).map((c) => c.slug)
  const nc = await connectWith(env.NATS_URL!, 'operator', natsAuth ? natsAuth.env('operator') : (env as NatsCredentials))
  let added = 0
  for (const slug of slugs) {
    const r = await nc.request(PollerApi.add.subject, JSON.stringify({ slug }), { timeout: 15_000 }).catch(() => null)
    if (r && !r.headers?.get('Nats-Service-Error-Code')) added++
  }
  say(`demo: monitoring ${added} kick-sim channels`)
  if (s.notifySimUrl) await seedDemoAlerts(nc, s.notifySimUrl)
  await nc.drain()
}

/**
 * One Discord-style channel on the provider simulator, alerting on every streamer, created
 * once (an installation-wide channel of the `demo` operator): go-live posts, edits every 30 s,
 * the end turns it into a summary, all visible on the simulator's page.
 */
async function seedDemoAlerts(nc: Awaited<ReturnType<typeof connectWith>>, simUrl: string) {
  // As the operator: a system actor is accepted only on notifier.admin.* (docs/nats.md).
  const actor = { system: 'demo' }
  const ask = async (subject: string, body: object) => {
    const r = await nc.request(adminSubject(subject), JSON.stringify({ actor, ...body }), { timeout: 15_000 })
    if (r.headers?.get('Nats-Service-Error-Code')) throw new Error(`${subject}: ${r.headers.get('Nats-Service-Error')}`)
    return r.json<any>()
  }
  try {
    const existing = (await ask(NotifierApi.channelsList.subject, {})).channels as { id: number; name: string }[]
    for (const c of existing.filter((x) => x.name === 'demo discord')) await ask(NotifierApi.channelsDelete.subject, { id: c.id }) // the simulator forgot its webhooks
    const hook = (await (await fetch(`${simUrl}/_sim/discord/webhooks`, { method: 'POST' })).json()) as { url: string }
    const { channel } = await ask(NotifierApi.channelsCreate.subject, { type: 'discord', name: 'demo discord', config: { webhook_url: hook.url, update_every_s: 30 } })
    await ask(NotifierApi.rulesCreate.subject, { channel_id: channel.id, streamers: '*', events: ['online', 'offline', 'title', 'category'], cooldown_s: 60 })
    say('demo: a Discord-style alert channel (on the provider simulator) for every streamer')
  } catch (e) {
    say(`demo: no alert channel (${(e as Error).message})`)
  }
}
