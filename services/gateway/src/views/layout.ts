import { html, type Html } from './html.ts'
import type { SessionUser } from '../clients/auth-client.ts'

export type PageOptions = {
  title: string
  user?: SessionUser | null
  csrf?: string | null
  body: Html
  active?: string
  /** Extra scripts (our own files only: the CSP forbids inline code). */
  scripts?: string[]
  styles?: string[]
}

const nav = (user: SessionUser, csrf: string, active?: string) => {
  const link = (href: string, label: string) =>
    html`<a href="${href}"${active === href ? html` aria-current="page"` : ''}${href === '/' ? html` id="nav-dashboard"` : ''}>${label}</a>`
  return html`<header class="topbar"><nav class="topnav" aria-label="Main">
    <a class="brand" href="/">&gt;_ kickmon</a>
    ${link('/', 'dashboard')}
    ${user.role === 'admin' ? [link('/admin/streamers', 'streamers'), link('/admin/users', 'users'), link('/admin/pages', 'pages'), link('/system', 'system')] : ''}
    ${link('/share', 'share')}
    ${link('/notifications', 'notifications')}
    ${link('/account', 'account')}
    <form method="post" action="/logout" class="logout">
      <input type="hidden" name="csrf_token" value="${csrf}">
      <span class="who">${user.username} <small>[${user.role}]</small></span>
      <button type="submit" class="secondary">logout</button>
    </form>
  </nav></header>`
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
<meta name="color-scheme" content="dark">
<title>${o.title} · kickmon</title>
${o.csrf ? html`<meta name="csrf-token" content="${o.csrf}">` : ''}
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
${(o.styles ?? []).map((s) => html`<link rel="stylesheet" href="/assets/${s}">`)}
<script src="/assets/kickmon.js" defer></script>
${(o.scripts ?? []).map((s) => html`<script src="/assets/${s}" defer></script>`)}
</head>
<body${headers ? html` hx-headers:inherited="${headers}"` : ''}>
<a class="skip" href="#main">skip to content</a>
${o.user ? nav(o.user, o.csrf ?? '', o.active) : ''}
<main id="main" tabindex="-1">${o.body}</main>
<div id="toast" class="toast" role="status" aria-live="polite" hidden></div>
</body>
</html>`.toString()
  )
}
