import { html, type Html } from './html.ts'

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
 * "Load older" for a long list: the answer (`morePage`) appends the next page's rows to
 * `listId` and replaces this button, out of band, with the one for the page after.
 */
export function moreButton(id: string, url: string | null, oob = false): Html {
  return html`<div id="${id}" class="more"${oob ? html` hx-swap-oob="true"` : ''}>${
    url ? html`<button type="button" class="secondary" hx-get="${url}" hx-swap="none">load older</button>` : ''
  }</div>`
}

/** The answer to a "load older" button: rows (table rows or list items) plus the next button. */
export function morePage(listId: string, rows: Html, next: Html): Html {
  // A partial (a <template>) keeps <tr> rows intact whatever else the answer holds.
  return html`${next}<hx-partial hx-target="#${listId}" hx-swap="beforeend">${rows}</hx-partial>`
}

export const panel = (id: string, title: string, body: Html, extra: Html | string = '') =>
  html`<section class="panel" aria-labelledby="${id}"><h2 id="${id}">${title}</h2>${extra}${body}</section>`
