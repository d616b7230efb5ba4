import { AppError } from '@kickmon/shared/errors'
import type { PageInput, PagePatch, StatusPage } from '@kickmon/shared/contracts/public'
import { subjects } from '@kickmon/shared/contracts/names'
import type { Principal } from './actors.ts'
import { audit } from './audit.ts'
import { iso, isUniqueViolation, type AuthDeps, type Db } from './deps.ts'

// Public status pages: what /p/<slug> shows. Admins define them; the gateway reads them all
// (auth.public.pages) and is told of every change on kickmon.auth.pages.changed.

type Row = {
  slug: string; title: string; description: string | null; streamers: string[]; show_viewers: boolean; show_history: boolean
  embed_origins: string[]; created_at: Date; updated_at: Date
}

const toPage = (r: Row): StatusPage => ({
  slug: r.slug, title: r.title, description: r.description, streamers: r.streamers, show_viewers: r.show_viewers,
  show_history: r.show_history, embed_origins: r.embed_origins, created_at: iso(r.created_at), updated_at: iso(r.updated_at),
})

const notFound = (slug: string) => new AppError('NOT_FOUND', `there is no status page "${slug}"`)

export async function listPages(sql: Db): Promise<StatusPage[]> {
  const rows = await sql<Row[]>`select * from public_pages order by slug`
  return rows.map(toPage)
}

export async function getPage(sql: Db, slug: string): Promise<StatusPage> {
  const [r] = await sql<Row[]>`select * from public_pages where slug = ${slug}`
  if (!r) throw notFound(slug)
  return toPage(r)
}

export async function createPage(deps: AuthDeps, actor: Principal, p: PageInput): Promise<StatusPage> {
  try {
    const page = await deps.sql.begin(async (tx) => {
      const [r] = await tx<Row[]>`
        insert into public_pages (slug, title, description, streamers, show_viewers, show_history, embed_origins, created_by)
        values (${p.slug}, ${p.title}, ${p.description ?? null}, ${p.streamers}::text[], ${p.show_viewers}, ${p.show_history},
                ${p.embed_origins}::text[], ${actor.userId})
        returning *`
      await audit(tx, { action: 'page.create', actor, target: `page:${p.slug}`, details: { streamers: p.streamers.length } })
      return toPage(r!)
    })
    announce(deps, p.slug)
    return page
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError('CONFLICT', `slug: a status page "${p.slug}" already exists`)
    throw e
  }
}

export async function updatePage(deps: AuthDeps, actor: Principal, slug: string, patch: PagePatch): Promise<StatusPage> {
  const set: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) set[k] = v
  const page = await deps.sql.begin(async (tx) => {
    const [cur] = await tx<Row[]>`select * from public_pages where slug = ${slug} for update`
    if (!cur) throw notFound(slug)
    const next = { ...cur, ...set } as Row
    const [r] = await tx<Row[]>`
      update public_pages set title = ${next.title}, description = ${next.description}, streamers = ${next.streamers}::text[],
        show_viewers = ${next.show_viewers}, show_history = ${next.show_history}, embed_origins = ${next.embed_origins}::text[],
        updated_at = now()
      where slug = ${slug} returning *`
    await audit(tx, { action: 'page.update', actor, target: `page:${slug}`, details: { fields: Object.keys(set) } })
    return toPage(r!)
  })
  announce(deps, slug)
  return page
}

export async function deletePage(deps: AuthDeps, actor: Principal, slug: string): Promise<void> {
  await deps.sql.begin(async (tx) => {
    const r = await tx`delete from public_pages where slug = ${slug}`
    if (!r.count) throw notFound(slug)
    await audit(tx, { action: 'page.delete', actor, target: `page:${slug}` })
  })
  announce(deps, slug)
}

/** After commit; a message lost in a reconnect is caught by the gateway's periodic reload. */
function announce(deps: Pick<AuthDeps, 'nc' | 'log'>, slug: string) {
  try {
    deps.nc.publish(subjects.pagesChanged, JSON.stringify({ slug }))
  } catch (err) {
    deps.log.warn({ err, slug }, 'could not announce a status page change')
  }
}
