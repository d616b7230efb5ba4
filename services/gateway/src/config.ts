import { z } from 'zod'
import { bindHost, kickUrlVars, port, secret, serviceSchema } from '@kickmon/shared/config'
import { parseTrustedProxies } from './http/trusted-proxies.ts'

// What the gateway reads (docs/design.md#configuration): where it listens, Kick's hosts and
// webhook key, proxies, share links and the public routes' limits. No PostgreSQL: it asks the others.

// Kick's published webhook key (docs/kick-api.md#signatures).
export const KICK_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAq/+l1WnlRrGSolDMA+A8
6rAhMbQGmQ2SapVcGM3zq8ANXjnhDWocMqfWcTd95btDydITa10kDvHzw9WQOqp2
MZI7ZyrfzJuz5nhTPCiJwTwnEtWft7nV14BYRDHvlfqPUaZ+1KR4OCaO/wWIk/rQ
L/TjY0M70gse8rlBkbo2a8rKhu69RQTRsoaf4DVhDPEeSeI5jVrRDGAMGL3cGuyY
6CLKGdjVEM78g3JfYOvDU/RvfqD7L89TZ3iN94jrmWdGz34JNlEI5hqK8dd7C5EF
BEbZ5jgB8s8ReQV8H+MkuffjdAj3ajDDX3DOJMIut1lBrUVD1AaSrGCKHooWoL2e
twIDAQAB
-----END PUBLIC KEY-----`

export const GatewayConfigSchema = serviceSchema({
  GATEWAY_PORT: port(8080),
  GATEWAY_HOST: bindHost,
  // The health page's fallback for a poller or auth that does not say where its /readyz is.
  POLLER_PORT: port(8081),
  AUTH_PORT: port(8082),
  ...kickUrlVars,
  KICK_WEBHOOK_PUBLIC_KEY: z
    .string()
    .transform((s) => s.replace(/\\n/g, '\n'))
    .refine((s) => s.includes('BEGIN PUBLIC KEY'), 'must be a PEM public key')
    .default(KICK_PUBLIC_KEY),
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((raw, ctx) => {
      const { entries, problems } = parseTrustedProxies(raw)
      // One issue naming every bad entry: the config error stays one line for the variable.
      if (problems.length) ctx.addIssue({ code: 'custom', message: problems.join('; ') })
      return entries
    }),
  // Signs share links (gateway only; separate from sessions, so neither key can forge the other's tokens).
  SHARE_LINK_SECRET: secret('dev-only-share-link-secret-change-me-00'),
  // Per-address limits on the public routes (status pages, badges, share links): a burst, a
  // steady rate per second after it, and live feeds one address may hold open.
  PUBLIC_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(120),
  PUBLIC_RATE_PER_S: z.coerce.number().min(0.01).max(100_000).default(2),
  PUBLIC_FEEDS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(20),
})

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>
