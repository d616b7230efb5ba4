import type { Server } from 'bun'
import { startActivity } from './activity.ts'
import { channelRoutes } from './channels.ts'
import { Challenge } from './challenge.ts'
import { controlRoutes } from './control.ts'
import { Counters } from './counters.ts'
import { Faults, FaultsSchema, type FaultSettings } from './faults.ts'
import { kick } from './http.ts'
import { imageRoutes } from './images.ts'
import { livestreamRoutes } from './livestreams.ts'
import { oauthRoutes, TokenStore } from './oauth.ts'
import { createPipeline } from './pipeline.ts'
import { RateLimiter } from './ratelimit.ts'
import { Router } from './router.ts'
import { applyScenarioChannels, ScenarioSchema, type Scenario } from './scenario.ts'
import { publicKeyRoutes, Signer } from './signing.ts'
import { subscriptionRoutes, Subscriptions } from './subscriptions.ts'
import { userRoutes } from './users.ts'
import { Webhooks } from './webhooks.ts'
import { websiteRoutes } from './website.ts'
import { World } from './world.ts'

// kick-sim: Kick's OAuth server, public API, Events API, website endpoints and a control
// API in one process. `fetch` works without a port (tests); `listen` serves it (main.ts).

export type KickSimOptions = {
  /** Channels in the seeded world (0–20,000; default 12). */
  channels?: number
  /** World seed (default 1): same seed, same channels. */
  seed?: number
  /** Streams start/end/flap/retitle on their own (default false here; main.ts turns it on). */
  activity?: boolean
  activityIntervalMs?: number
  /** Multiplies the activity rates (default 1: a few changes a minute with 12 channels). */
  activityRate?: number
  clientId?: string
  clientSecret?: string
  /** Where webhook deliveries are POSTed; without it deliveries are counted as skipped. */
  webhookUrl?: string
  tokenTtlS?: number
  userTokenTtlS?: number
  /** Per-app cap on event subscriptions (default 10,000). */
  subscriptionCap?: number
  /** A subscription whose deliveries fail for this long is removed (default 86,400 s, as Kick). */
  unsubscribeAfterS?: number
  /** Derive the webhook RSA key from this seed (stable across restarts); else random per start. */
  keySeed?: string
  privateKeyPem?: string
  /** Base URL used in image links and webhook payloads (default: the request's origin / the listen address). */
  publicUrl?: string
  faults?: FaultSettings
  scenario?: Scenario
  clock?: () => number
  /** Failed webhook deliveries (network errors) and unexpected request errors are reported here. */
  onError?: (err: unknown, where: { kind: 'webhook' | 'request'; url: string }) => void
}

export type KickSim = {
  fetch(req: Request): Promise<Response>
  listen(port?: number, hostname?: string): { port: number; hostname: string; url: string }
  stop(): Promise<void>
  readonly url: string | null
  readonly publicKeyPem: string
  world: World
  faults: Faults
  counters: Counters
  tokens: TokenStore
  subscriptions: Subscriptions
  webhooks: Webhooks
}

export function createKickSim(opts: KickSimOptions = {}): KickSim {
  const channels = opts.channels ?? 12
  if (!Number.isInteger(channels) || channels < 0 || channels > 20_000) throw new RangeError('channels must be an integer 0–20000')
  const seed = opts.seed ?? 1
  const clock = opts.clock ?? Date.now
  const scenario = opts.scenario ? ScenarioSchema.parse(opts.scenario) : undefined

  const world = new World({ channels, seed, clock })
  const counters = new Counters()
  const faults = new Faults(seed)
  const limiter = new RateLimiter(clock)
  faults.onChange = () => limiter.reset()
  const tokens = new TokenStore({
    clientId: opts.clientId ?? 'kickmon-demo',
    clientSecret: opts.clientSecret ?? 'kickmon-demo-secret',
    tokenTtlS: opts.tokenTtlS ?? 3600,
    userTokenTtlS: opts.userTokenTtlS ?? 7200,
    clock,
  })
  const subs = new Subscriptions(opts.subscriptionCap ?? 10_000, clock)
  const signer = new Signer({ keySeed: opts.keySeed, privateKeyPem: opts.privateKeyPem })
  let server: Server<unknown> | null = null
  let listenUrl: string | null = null
  const webhooks = new Webhooks(world, subs, signer, faults, counters, {
    url: opts.webhookUrl ?? scenario?.webhookUrl,
    unsubscribeAfterS: opts.unsubscribeAfterS ?? 86_400,
    clock,
    baseUrl: () => opts.publicUrl ?? listenUrl ?? 'http://127.0.0.1:8090',
    onError: (err, url) => opts.onError?.(err, { kind: 'webhook', url }),
  })

  const router = new Router()
  oauthRoutes(router, tokens, world)
  channelRoutes(router, world, faults, counters)
  livestreamRoutes(router, world)
  userRoutes(router, world)
  publicKeyRoutes(router, signer)
  subscriptionRoutes(router, subs, world)
  controlRoutes(router, { world, faults, counters, tokens, subs, webhooks })
  imageRoutes(router)
  websiteRoutes(router, world) // last: it owns the catch-all `/:slug` page

  if (scenario) {
    applyScenarioChannels(world, scenario)
    if (scenario.faults) faults.set(scenario.faults)
  }
  if (opts.faults) faults.set(FaultsSchema.parse(opts.faults))

  const stopping = new AbortController()
  const handle = createPipeline({ router, faults, counters, tokens, limiter, challenge: new Challenge(), publicUrl: opts.publicUrl, stopping: stopping.signal })
  const stopActivity = opts.activity ? startActivity(world, { seed, intervalMs: opts.activityIntervalMs, rate: opts.activityRate }) : () => {}

  return {
    fetch: (req) => handle(req),
    listen(port = 0, hostname = '127.0.0.1') {
      if (server) throw new Error('kick-sim is already listening')
      server = Bun.serve({
        port,
        hostname,
        development: false,
        fetch: (req, srv) => handle(req, srv),
        // A handler bug answers like Kick's 500 instead of Bun's error page.
        error: (err) => {
          opts.onError?.(err, { kind: 'request', url: '' })
          return kick.serverError()
        },
      })
      const p = server.port ?? port
      listenUrl = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${p}`
      return { port: p, hostname, url: listenUrl }
    },
    async stop() {
      if (stopping.signal.aborted && !server) return
      stopActivity()
      stopping.abort()
      await webhooks.stop()
      if (server) {
        await server.stop(true)
        server = null
      }
    },
    get url() {
      return listenUrl
    },
    get publicKeyPem() {
      return signer.publicKeyPem
    },
    world,
    faults,
    counters,
    tokens,
    subscriptions: subs,
    webhooks,
  }
}
