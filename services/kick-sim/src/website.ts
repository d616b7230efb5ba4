import { randomBytes } from 'node:crypto'
import { cloudflareHeaders } from './challenge.ts'
import { escapeHtml, html, json, laravel404 } from './http.ts'
import { languageName } from './names.ts'
import type { Router } from './router.ts'
import { laravelTime, sqlTime } from './time.ts'
import { avatarUrl, bannerUrl, categoryThumb, streamThumb } from './views.ts'
import { SLUG_RE, shownViewers, type Channel, type World } from './world.ts'

// kick.com's own (unofficial) endpoints (kick-api.md §4): /api/v2/channels/<slug> and the
// older /api/v1 shape with their own field names and "YYYY-MM-DD HH:MM:SS" times, plus
// a channel page a browser can load. Unknown slug ⇒ Laravel's HTML 404.

function slugify(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)
}

function categoryViewers(world: World, id: number): number {
  let n = 0
  for (const c of world.live()) if (c.category?.id === id) n += c.viewers
  return n
}

function categories(world: World, base: string, ch: Channel): object[] {
  const c = ch.category
  if (!c) return []
  return [{
    id: c.id, category_id: c.parent.id, name: c.name, slug: c.slug, tags: [c.parent.name], description: null, deleted_at: null,
    viewers: categoryViewers(world, c.id), banner: { responsive: categoryThumb(base, c), url: categoryThumb(base, c) },
    category: { id: c.parent.id, name: c.parent.name, slug: c.parent.slug, icon: c.parent.icon },
  }]
}

function livestreamV2(world: World, base: string, ch: Channel): object | null {
  const s = ch.stream
  if (!ch.live || !s) return null
  return {
    id: s.id,
    slug: `${s.uid.toLowerCase().slice(0, 8)}-${slugify(ch.title)}`,
    channel_id: ch.channelId,
    created_at: sqlTime(s.startedAt),
    session_title: ch.title,
    is_live: true,
    risk_level_id: null,
    // Captures show start_time one second before created_at.
    start_time: sqlTime(s.startedAt - 1000),
    source: null,
    twitch_channel: null,
    duration: 0,
    language: languageName(ch.language),
    is_mature: ch.mature,
    viewer_count: shownViewers(ch),
    thumbnail: { url: streamThumb(base, ch) },
    categories: categories(world, base, ch),
    tags: ch.tags,
  }
}

function channelV2(world: World, base: string, ch: Channel): Record<string, unknown> {
  return {
    id: ch.channelId,
    user_id: ch.userId,
    slug: ch.slug,
    is_banned: false,
    playback_url: `${base}/playback/${ch.playbackKey}.m3u8`,
    vod_enabled: true,
    subscription_enabled: true,
    is_affiliate: ch.followers > 1000,
    followers_count: ch.followers,
    following: false,
    subscriber_badges: [],
    banner_image: { url: bannerUrl(base, ch) },
    livestream: livestreamV2(world, base, ch),
    role: null,
    muted: false,
    follower_badges: [],
    offline_banner_image: null,
    verified: ch.verified,
    recent_categories: [...new Map([ch.category, ...ch.past.map((p) => p.category)].filter((c) => c !== null).map((c) => [c.id, { id: c.id, name: c.name, slug: c.slug }])).values()],
    can_host: true,
    user: {
      id: ch.userId, username: ch.username, agreed_to_terms: true, email_verified_at: laravelTime(ch.createdAt), bio: ch.bio,
      country: null, state: null, city: null, instagram: '', twitter: '', youtube: '', discord: '', tiktok: '', facebook: '',
      profile_pic: avatarUrl(base, ch),
    },
    chatroom: {
      id: ch.channelId, chatable_type: 'App\\Models\\Channel', channel_id: ch.channelId, created_at: laravelTime(ch.createdAt),
      updated_at: laravelTime(ch.createdAt), chat_mode_old: 'public', chat_mode: 'public', slow_mode: false, chatable_id: ch.channelId,
      followers_mode: false, subscribers_mode: false, emotes_mode: false, message_interval: 0, following_min_duration: 0,
    },
  }
}

/** v1: camelCase `followersCount`, `viewers` duplicating `viewer_count`, `previous_livestreams`. */
function channelV1(world: World, base: string, ch: Channel): Record<string, unknown> {
  const { followers_count: _, livestream, ...rest } = channelV2(world, base, ch)
  const thumb = streamThumb(base, ch)
  return {
    ...rest,
    followersCount: ch.followers,
    livestream: livestream && { ...livestream, viewers: shownViewers(ch), thumbnail: { responsive: `${thumb} 1280w`, url: thumb } },
    previous_livestreams: ch.past.map((p) => ({
      id: p.id, slug: `${p.uid.toLowerCase().slice(0, 8)}-${slugify(p.title)}`, channel_id: ch.channelId, created_at: sqlTime(p.startedAt),
      session_title: p.title, is_live: false, risk_level_id: null, start_time: sqlTime(p.startedAt - 1000), source: null, twitch_channel: null,
      duration: p.endedAt - p.startedAt, language: languageName(ch.language), is_mature: ch.mature, viewer_count: 0,
      thumbnail: { src: streamThumb(base, ch, 720, p.uid), srcset: '' }, tags: ch.tags,
      categories: p.category ? [{ id: p.category.id, name: p.category.name, slug: p.category.slug }] : [],
    })),
  }
}

const withCf = (r: Response): Response => {
  for (const [k, v] of Object.entries(cloudflareHeaders())) r.headers.set(k, v)
  return r
}

export function websiteRoutes(router: Router, world: World): void {
  router.add('GET', '/api/v2/channels/:slug', 'website', ({ params, base }) => {
    const ch = world.bySlug(params.slug ?? '')
    return withCf(ch ? json(channelV2(world, base, ch)) : laravel404())
  })
  router.add('GET', '/api/v1/channels/:slug', 'website', ({ params, base }) => {
    const ch = world.bySlug(params.slug ?? '')
    return withCf(ch ? json(channelV1(world, base, ch)) : laravel404())
  })
  router.add('GET', '/api/v2/channels/:slug/livestream', 'website', ({ params, base }) => {
    const ch = world.bySlug(params.slug ?? '')
    if (!ch) return withCf(laravel404())
    const s = ch.stream
    return withCf(json({
      data: ch.live && s ? {
        id: s.id, slug: `${s.uid.toLowerCase().slice(0, 8)}-${slugify(ch.title)}`, session_title: ch.title, created_at: sqlTime(s.startedAt),
        language: languageName(ch.language), is_mature: ch.mature, viewers: shownViewers(ch),
        category: ch.category ? { id: ch.category.id, name: ch.category.name, slug: ch.category.slug } : null,
        playback_url: `${base}/playback/${ch.playbackKey}.m3u8`, thumbnail: { src: streamThumb(base, ch), srcset: '' },
      } : null,
    }))
  })

  router.add('GET', '/', 'website', ({ base }) => {
    const list = [...world.live()].sort((a, b) => b.viewers - a.viewers).slice(0, 100)
    const rows = list.map((c) => `<li><a href="/${c.slug}">${escapeHtml(c.username)}</a> · ${shownViewers(c)} watching · ${escapeHtml(c.title)}</li>`).join('')
    // yt-dlp style clients bootstrap a session here (XSRF-TOKEN cookie).
    const xsrf = randomBytes(20).toString('base64url')
    return withCf(html(page('Kick (simulated)', `<h1>Live now (${world.live().length} of ${world.size})</h1><ul>${rows}</ul>`, base), 200, {
      'set-cookie': `XSRF-TOKEN=${xsrf}; path=/; SameSite=Lax`,
    }))
  })

  router.add('GET', '/:slug', 'website', ({ params, base }) => {
    const slug = params.slug ?? ''
    const ch = SLUG_RE.test(slug.toLowerCase()) ? world.bySlug(slug) : undefined
    if (!ch) return withCf(laravel404())
    return withCf(html(channelPage(base, ch)))
  })
}

function page(title: string, body: string, _base: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;background:#0b0e0f;color:#e6e6e6;margin:2rem}a{color:#53fc18}.live{background:#53fc18;color:#000;padding:2px 6px;border-radius:4px;font-weight:700}.off{background:#444;padding:2px 6px;border-radius:4px}img.avatar{width:64px;height:64px;border-radius:50%;vertical-align:middle;margin-right:1rem}.banner{width:100%;max-width:900px;height:120px;object-fit:cover;border-radius:8px}</style></head><body>${body}<footer><p><small>kick-sim: a local simulator; nothing here is real Kick data.</small></p></footer></body></html>`
}

function channelPage(base: string, ch: Channel): string {
  const s = ch.live ? ch.stream : null
  const status = s
    ? `<span class="live" id="status">LIVE</span> <span id="viewers">${shownViewers(ch)}</span> watching · since <time id="started" datetime="${new Date(s.startedAt).toISOString()}">${sqlTime(s.startedAt)} UTC</time>`
    : `<span class="off" id="status">OFFLINE</span>`
  const body = `<img class="banner" src="${escapeHtml(bannerUrl(base, ch))}" alt=""><h1><img class="avatar" src="${escapeHtml(avatarUrl(base, ch))}" alt="">` +
    `<span id="username">${escapeHtml(ch.username)}</span>${ch.verified ? ' ✔' : ''}</h1>` +
    `<p>${status}</p><h2 id="title">${escapeHtml(ch.title)}</h2><p>Category: <span id="category">${escapeHtml(ch.category?.name ?? '')}</span></p>` +
    `<p><span id="followers">${ch.followers}</span> followers</p><p id="bio">${escapeHtml(ch.bio)}</p>` +
    // Like kick.com's SPA, the page fetches its own channel JSON (browser clients can intercept it).
    `<script>fetch('/api/v2/channels/${ch.slug}').then(function(r){return r.json()}).then(function(c){var l=c.livestream;` +
    `document.getElementById('status').textContent=l?'LIVE':'OFFLINE';if(l){var v=document.getElementById('viewers');if(v)v.textContent=String(l.viewer_count);` +
    `document.getElementById('title').textContent=l.session_title}window.__channel=c}).catch(function(){})</script>`
  return page(`${ch.username} | Kick`, body, base)
}
