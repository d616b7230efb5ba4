import { Elysia } from 'elysia'
import { join, dirname } from 'node:path'
import { checkoutDir } from '@kickmon/shared/checkout-dir'

// web/ is walked up to (it works from sources, a bundle and a compiled binary). A bundle's
// `require.resolve` is fixed at build time to the package's absolute path, so a bundle finds
// htmx and uPlot as long as the checkout it was built in stays where it is.
const webDir = checkoutDir('web')
const htmxDir = join(dirname(require.resolve('htmx.org/package.json')), 'dist')
const uplotDir = join(dirname(require.resolve('uplot/package.json')), 'dist')

// A fixed map: nothing outside it can be read through /assets.
const FILES: Record<string, { path: string; type: string }> = {
  'htmx.min.js': { path: join(htmxDir, 'htmx.min.js'), type: 'text/javascript' },
  'hx-ws.js': { path: join(htmxDir, 'ext', 'hx-ws.js'), type: 'text/javascript' },
  'uPlot.iife.min.js': { path: join(uplotDir, 'uPlot.iife.min.js'), type: 'text/javascript' },
  'uPlot.min.css': { path: join(uplotDir, 'uPlot.min.css'), type: 'text/css' },
  'app.js': { path: join(webDir, 'js', 'app.js'), type: 'text/javascript' },
  'dashboard.js': { path: join(webDir, 'js', 'dashboard.js'), type: 'text/javascript' },
  'chart.js': { path: join(webDir, 'js', 'chart.js'), type: 'text/javascript' },
  'time-ticks.js': { path: join(webDir, 'js', 'time-ticks.js'), type: 'text/javascript' },
  'app.css': { path: join(webDir, 'css', 'app.css'), type: 'text/css' },
  'favicon.svg': { path: join(webDir, 'img', 'favicon.svg'), type: 'image/svg+xml' },
}

// Every page loads htmx, its WebSocket extension and app.js as this one script. As three
// <script defer> files they raced on a slow link: htmx starts one task after the page is parsed,
// and the browser runs tasks while it waits for a later deferred script, so htmx could start
// before hx-ws.js (the live feed never opened) or before app.js (it opened unannounced).
const PAGE_SCRIPT = ['htmx.min.js', 'hx-ws.js', 'app.js'] as const
let pageScript: Promise<string> | null = null
const joinPageScript = async () => {
  const parts = await Promise.all(PAGE_SCRIPT.map((f) => Bun.file(FILES[f]!.path).text()))
  // A source-map comment would point into the middle of the joined file.
  return parts.map((p) => p.replace(/^\/\/# sourceMappingURL=.*$/gm, '')).join('\n;\n')
}

/** An asset's answer: browsers may keep it five minutes. */
const served = (body: BodyInit, type: string) =>
  new Response(body, { headers: { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'public, max-age=300' } })

export const assets = new Elysia({ name: 'assets' }).get('/assets/:file', async ({ params }) => {
  if (params.file === 'kickmon.js') {
    // Joined once; a failed read is tried again on the next request.
    return served(await (pageScript ??= joinPageScript().catch((e) => ((pageScript = null), Promise.reject(e)))), 'text/javascript')
  }
  // Own keys only: `constructor` and friends are on every object's prototype.
  const f = Object.hasOwn(FILES, params.file) ? FILES[params.file] : undefined
  if (!f) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  return served(Bun.file(f.path), f.type)
})
