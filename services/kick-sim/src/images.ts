import type { Router } from './router.ts'

// Local stand-ins for files.kick.com / images.kick.com so dashboards showing avatars,
// banners and thumbnails never reach the internet. Kick's paths, SVG bodies.

function hue(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) >>> 0
  return h % 360
}

function svg(path: string, w: number, h: number, label: string): Response {
  const a = hue(path)
  const b = (a + 60) % 360
  const body = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${a},70%,45%)"/><stop offset="1" stop-color="hsl(${b},70%,30%)"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#g)"/>` +
    (label ? `<text x="50%" y="55%" font-family="sans-serif" font-size="${Math.round(h / 5)}" fill="#fff" text-anchor="middle">${label}</text>` : '') +
    `</svg>`
  return new Response(body, { headers: { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' } })
}

export function imageRoutes(router: Router): void {
  router.add('GET', '/images/*', 'asset', ({ url }) => {
    const p = url.pathname
    if (p.includes('/profile_image/')) return svg(p, 128, 128, '')
    if (p.includes('/banner_image/')) return svg(p, 1200, 300, '')
    return svg(p, 320, 180, '')
  })
  router.add('GET', '/video_thumbnails/*', 'asset', ({ url }) => svg(url.pathname, 1280, 720, 'LIVE'))
  router.add('GET', '/cdn-cgi/*', 'asset', () => new Response('/* challenge platform (simulated) */', { headers: { 'content-type': 'application/javascript' } }))
}
