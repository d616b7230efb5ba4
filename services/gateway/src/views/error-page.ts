import type { AppError } from '@kickmon/shared/errors'
import { html } from './html.ts'
import { errorBox } from './components.ts'
import { page } from './layout.ts'

const HINT: Partial<Record<number, string>> = {
  401: 'Your session has ended. Log in again.',
  403: 'Your account may not open this. Ask an admin if you need it.',
  404: 'Nothing here, or nothing you may see.',
}

export function errorPage(e: AppError): string {
  return page({
    title: `${e.status}`,
    body: html`<section class="login-box" aria-labelledby="err-title">
  <h1 id="err-title">${e.status} ${e.code.toLowerCase().replace(/_/g, ' ')}</h1>
  ${errorBox(e.message)}
  <p class="dim">${HINT[e.status] ?? ''}</p>
  <p><a href="/">&lt; back to the dashboard</a>${e.status === 401 ? html` · <a href="/login">log in</a>` : ''}</p>
</section>`,
  })
}

/** For htmx requests: goes into the form's result slot. */
export function errorFragment(e: AppError): string {
  return errorBox(e.message).toString()
}
