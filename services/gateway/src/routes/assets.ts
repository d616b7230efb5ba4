import { Elysia } from 'elysia'
import { join, dirname } from 'node:path'

const webDir = join(import.meta.dir, '..', '..', '..', '..', 'web')
const htmxDir = join(dirname(require.resolve('htmx.org/package.json')), 'dist')

// A fixed map: nothing outside it can be read through /assets.
const FILES: Record<string, { path: string; type: string }> = {
  'htmx.min.js': { path: join(htmxDir, 'htmx.min.js'), type: 'text/javascript' },
  'hx-ws.js': { path: join(htmxDir, 'ext', 'hx-ws.js'), type: 'text/javascript' },
  'app.js': { path: join(webDir, 'js', 'app.js'), type: 'text/javascript' },
  'app.css': { path: join(webDir, 'css', 'app.css'), type: 'text/css' },
}

export const assets = new Elysia({ name: 'assets' }).get('/assets/:file', ({ params }) => {
  const f = FILES[params.file]
  if (!f) return new Response('not found', { status: 404 })
  return new Response(Bun.file(f.path), {
    headers: { 'content-type': `${f.type}; charset=utf-8`, 'cache-control': 'public, max-age=300' },
  })
})
