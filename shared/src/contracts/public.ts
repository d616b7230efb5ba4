import { z } from 'zod'
import { Actor } from './auth.ts'
import { Slug } from '../validation.ts'

// Public status pages and share links: auth stores them (it owns users and assignments, so a
// creator's downgrade or deletion stops their links at once); the gateway renders and signs.
// docs/public-pages.md describes the behaviour, docs/auth.md the endpoints.

const iso = z.iso.datetime({ offset: true })
const Ok = z.object({ ok: z.literal(true) })
const withActor = <T extends z.ZodRawShape>(shape: T) => z.object({ actor: Actor, ...shape })
const noNul = (s: string) => !s.includes('\u0000') && !/[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s)

/** A page's address: `/p/<slug>`. */
export const PageSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a page slug is 1–63 characters of a-z, 0-9 or "-", starting with a letter or digit')

/** Who may frame `/p/<slug>/embed`: `*` or origins such as `https://example.com` (CSP frame-ancestors). */
export const EmbedOrigin = z
  .string()
  .regex(/^(\*|https?:\/\/[a-z0-9.-]{1,253}(:\d{1,5})?)$/, 'an embed origin is "*" or a scheme and host such as https://example.com (lowercase, no path)')

export const MAX_PAGE_STREAMERS = 100

const PageStreamers = z
  .array(Slug)
  .min(1, 'a page lists at least one streamer')
  .max(MAX_PAGE_STREAMERS, `a page lists at most ${MAX_PAGE_STREAMERS} streamers`)
  .transform((a) => [...new Set(a)])

const PageFields = {
  title: z.string().trim().min(1, 'title must not be empty').max(100, 'title may have at most 100 characters').refine(noNul, 'title must not contain control characters'),
  description: z.string().trim().max(500, 'description may have at most 500 characters').refine(noNul, 'description must not contain control characters').nullable(),
  streamers: PageStreamers,
  show_viewers: z.boolean({ error: 'show_viewers must be true or false' }),
  show_history: z.boolean({ error: 'show_history must be true or false' }),
  embed_origins: z.array(EmbedOrigin).max(20, 'at most 20 embed origins').transform((a) => [...new Set(a)]),
}

/** What an admin sends to create a page. */
export const PageInput = z.object({
  slug: PageSlug,
  ...PageFields,
  description: PageFields.description.optional(),
  embed_origins: PageFields.embed_origins.default([]),
})
export type PageInput = z.infer<typeof PageInput>

/** A partial change (PATCH). */
export const PagePatch = z.object({
  title: PageFields.title.optional(),
  description: PageFields.description.optional(),
  streamers: PageFields.streamers.optional(),
  show_viewers: PageFields.show_viewers.optional(),
  show_history: PageFields.show_history.optional(),
  embed_origins: PageFields.embed_origins.optional(),
})
export type PagePatch = z.infer<typeof PagePatch>

export const StatusPage = z.object({
  slug: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  streamers: z.array(z.string()),
  show_viewers: z.boolean(),
  show_history: z.boolean(),
  embed_origins: z.array(z.string()),
  created_at: iso,
  updated_at: iso,
})
export type StatusPage = z.infer<typeof StatusPage>

// ---------------------------------------------------------------- share links

export const MAX_SHARE_S = 30 * 86_400
export const MAX_VIEW_STREAMERS = 100

/** What a link shows: one streamer's page, or a saved view of several streamers. */
export const ShareTarget = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('streamer'), slug: Slug }),
    z.strictObject({
      type: z.literal('view'),
      slugs: z.array(Slug).min(1, 'a view shows at least one streamer').max(MAX_VIEW_STREAMERS, `a view shows at most ${MAX_VIEW_STREAMERS} streamers`).transform((a) => [...new Set(a)].sort()),
      title: z.string().trim().min(1).max(100, 'title may have at most 100 characters').refine(noNul, 'title must not contain control characters').optional(),
    }),
  ],
  { error: 'target must be {type: "streamer", slug} or {type: "view", slugs, title?}' },
)
export type ShareTarget = z.infer<typeof ShareTarget>

/** The streamers a target shows. */
export const targetSlugs = (t: ShareTarget): string[] => (t.type === 'streamer' ? [t.slug] : t.slugs)

export const ShareLinkId = z.uuid({ error: 'a share link id is a UUID' })

export const ShareLink = z.object({
  id: z.string(),
  user_id: z.number().int(),
  target: ShareTarget,
  created_at: iso,
  expires_at: iso,
  revoked_at: iso.nullable(),
})
export type ShareLink = z.infer<typeof ShareLink>

const api = <S extends string, I extends z.ZodType, O extends z.ZodType>(subject: S, input: I, output: O) => ({ subject, input, output })

export const PublicApi = {
  // status pages (admins; system actors too)
  pagesList: api('auth.pages.list', withActor({}), z.object({ pages: z.array(StatusPage) })),
  pagesGet: api('auth.pages.get', withActor({ slug: PageSlug }), StatusPage),
  pagesCreate: api('auth.pages.create', withActor({ page: PageInput }), StatusPage),
  pagesUpdate: api('auth.pages.update', withActor({ slug: PageSlug, patch: PagePatch }), StatusPage),
  pagesDelete: api('auth.pages.delete', withActor({ slug: PageSlug }), Ok),

  // share links (any user, for streamers they can see)
  shareCreate: api(
    'auth.sharelinks.create',
    withActor({ target: ShareTarget, expires_in_s: z.number().int().min(60, 'at least 60 seconds').max(MAX_SHARE_S, 'at most 30 days (2,592,000 seconds)') }),
    ShareLink,
  ),
  shareList: api('auth.sharelinks.list', withActor({ include_revoked: z.boolean().default(false) }), z.object({ links: z.array(ShareLink) })),
  shareRevoke: api('auth.sharelinks.revoke', withActor({ id: ShareLinkId }), Ok),

  // anonymous reads for the gateway's public routes (no actor: what they answer is public)
  publicPages: api('auth.public.pages', z.object({}), z.object({ pages: z.array(StatusPage) })),
  /**
   * Is this link still good: not revoked or expired, its creator still enabled, not
   * downgraded, and still allowed to see every streamer it shows. NOT_FOUND otherwise,
   * with one message for every reason.
   */
  publicShare: api('auth.public.sharelink', z.object({ id: ShareLinkId }), ShareLink),
} as const

export type PublicEndpointName = keyof typeof PublicApi
export type PublicInput<K extends PublicEndpointName> = z.input<(typeof PublicApi)[K]['input']>
export type PublicOutput<K extends PublicEndpointName> = z.infer<(typeof PublicApi)[K]['output']>

/** On `kickmon.auth.pages.changed`: reload the page definitions. */
export const PagesChangedEvent = z.object({ slug: z.string() })
/** On `kickmon.auth.sharelinks.revoked`: end these links' open feeds now. */
export const ShareLinksRevokedEvent = z.object({ ids: z.array(z.string()), user_id: z.number().int() })
export type ShareLinksRevokedEvent = z.infer<typeof ShareLinksRevokedEvent>
