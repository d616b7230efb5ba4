import { html, type Html } from '../html.ts'

// Small pieces every page uses. Result slots (`.result`) are where htmx puts a form's answer:
// a notice on success, an error (with its 4xx status) otherwise. htmx 4 swaps 4xx/5xx bodies,
// which is exactly what these fragments are for.

export const notice = (msg: string | Html) => html`<p class="notice" role="status">${msg}</p>`
export const errorBox = (msg: string | Html) => html`<p class="error" role="alert">${msg}</p>`

/** A hidden CSRF field for forms that also work without JavaScript. */
export const csrfField = (csrf: string) => html`<input type="hidden" name="csrf_token" value="${csrf}">`

export const roleOptions = (current?: string) =>
  ['viewer', 'user', 'admin'].map((r) => html`<option value="${r}"${r === current ? html` selected` : ''}>${r}</option>`)

/**
 * "Load older" for a long table: appends the next page's rows to `tbodyId` and replaces
 * itself (out of band) with the button for the page after, or nothing at the end.
 */
export function moreButton(id: string, url: string | null, tbodyId: string, oob = false): Html {
  return html`<div id="${id}" class="more"${oob ? html` hx-swap-oob="true"` : ''}>${
    url ? html`<button type="button" class="secondary" hx-get="${url}" hx-target="#${tbodyId}" hx-swap="beforeend">load older</button>` : ''
  }</div>`
}

export const panel = (id: string, title: string, body: Html, extra: Html | string = '') =>
  html`<section class="panel" aria-labelledby="${id}"><h2 id="${id}">${title}</h2>${extra}${body}</section>`
