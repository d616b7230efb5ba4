import { html, type Html } from '../html.ts'
import type { SessionUser } from '../auth-client.ts'

export type PageOptions = { title: string; user?: SessionUser | null; csrf?: string; body: Html; active?: string }

const nav = (user: SessionUser, csrf: string, active?: string) => {
  const link = (href: string, label: string) =>
    html`<a href="${href}"${active === href ? html` aria-current="page"` : ''}>${label}</a>`
  return html`<nav class="topnav" aria-label="Main">
    <span class="brand">&gt;_ kickmon</span>
    ${link('/', 'dashboard')}
    ${user.role === 'admin' ? [link('/admin/streamers', 'streamers'), link('/admin/users', 'users'), link('/system', 'system')] : ''}
    ${link('/account', 'account')}
    <form method="post" action="/logout" class="logout">
      <input type="hidden" name="csrf_token" value="${csrf}">
      <span class="who">${user.username} <small>[${user.role}]</small></span>
      <button type="submit">logout</button>
    </form>
  </nav>`
}

/** Every page: strict CSP-friendly (no inline script or style), CSRF token for htmx requests. */
export function page(o: PageOptions): string {
  const headers = o.csrf ? JSON.stringify({ 'X-CSRF-Token': o.csrf }) : null
  return (
    '<!doctype html>' +
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · kickmon</title>
${o.csrf ? html`<meta name="csrf-token" content="${o.csrf}">` : ''}
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/htmx.min.js" defer></script>
<script src="/assets/hx-ws.js" defer></script>
<script src="/assets/app.js" defer></script>
</head>
<body${headers ? html` hx-headers:inherited="${headers}"` : ''}>
${o.user ? nav(o.user, o.csrf ?? '', o.active) : ''}
<main id="main">${o.body}</main>
</body>
</html>`.toString()
  )
}
