import { html } from './html.ts'
import { page } from './layout.ts'

export function loginPage(opts: { error?: string; username?: string; next?: string } = {}): string {
  return page({
    title: 'login',
    body: html`<section class="login-box" aria-labelledby="login-title">
  <pre class="logo" aria-hidden="true">
 _    _      _
| | _(_) ___| | ___ __ ___   ___  _ __
| |/ / |/ __| |/ / '_ \` _ \\ / _ \\| '_ \\
|   <| | (__|   <| | | | | | (_) | | | |
|_|\\_\\_|\\___|_|\\_\\_| |_| |_|\\___/|_| |_|</pre>
  <h1 id="login-title">log in</h1>
  ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
  <form method="post" action="/login" class="stack">
    ${opts.next ? html`<input type="hidden" name="next" value="${opts.next}">` : ''}
    <label>username <input name="username" autocomplete="username" required maxlength="64" value="${opts.username ?? ''}" autofocus></label>
    <label>password <input name="password" type="password" autocomplete="current-password" required maxlength="128"></label>
    <button type="submit">&gt; log in</button>
  </form>
</section>`,
  })
}
