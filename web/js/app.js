// kickmon client, every page: live-feed state, relative times, error toasts and small form
// helpers. No inline scripts anywhere, so the CSP can forbid them. The dashboard's sorting,
// filtering and grouping is in dashboard.js.
(() => {
  const $ = (s, root = document) => root.querySelector(s)
  const $$ = (s, root = document) => [...root.querySelectorAll(s)]
  const nf = new Intl.NumberFormat('en-US')
  document.documentElement.classList.add('js')
  window.kickmon = { refreshTimes: (root) => refreshTimes(root) }

  // ------------------------------------------------------------ relative times
  function fmtDuration(ms) {
    const s = Math.max(0, Math.floor(ms / 1000))
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60)
    return h ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s % 60).padStart(2, '0')}s`
  }
  function fmtAgo(ms) {
    const s = Math.max(0, Math.round(ms / 1000))
    return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : s < 86400 ? `${Math.floor(s / 3600)}h ago` : `${Math.floor(s / 86400)}d ago`
  }
  function refreshTimes(root = document) {
    const now = Date.now()
    for (const t of root.querySelectorAll('time[data-relative]')) {
      const at = Date.parse(t.getAttribute('datetime'))
      if (Number.isNaN(at)) continue
      const text = t.dataset.relative === 'duration' ? fmtDuration(now - at) : fmtAgo(now - at)
      if (t.textContent !== text) t.textContent = text
    }
  }

  // ------------------------------------------------------------ live connection
  function setConn(state, text) {
    const el = $('#conn')
    if (!el) return
    el.dataset.state = state
    el.textContent = text
  }
  document.addEventListener('htmx:ws:after:connection', () => setConn('open', 'live updates on'))
  document.addEventListener('htmx:ws:close', (e) => {
    const code = e.detail && e.detail.code
    // 4401: our session ended (logout elsewhere, revoked, disabled): go to the login page.
    if (code === 4401) return void location.assign('/login')
    // 4410: a public page's feed is over for good (page deleted, share link expired); no reconnect.
    if (code === 4410) return setConn('closed', 'ended')
    setConn('closed', 'connection lost, reconnecting…')
  })

  /** The nav's dashboard link goes back to the view you left. */
  function restoreDashLink() {
    const a = $('#nav-dashboard')
    if (!a || $('#view')) return
    try {
      const qs = sessionStorage.getItem('kickmon.dash')
      if (qs) a.href = '/' + qs
    } catch {}
  }

  // ------------------------------------------------------------ errors and forms
  let toastTimer = null
  function showToast() {
    const t = $('#toast')
    if (!t || !t.textContent.trim()) return
    t.hidden = false
    clearTimeout(toastTimer)
    toastTimer = setTimeout(() => (t.hidden = true), 8000)
  }
  function toastText(text) {
    const t = $('#toast')
    if (!t) return
    t.innerHTML = ''
    const p = document.createElement('p')
    p.className = 'error'
    p.textContent = text
    t.append(p)
    showToast()
  }
  // An error answer goes into the form's result slot when it has one, else into the toast
  // (so a failed row action never replaces the row with an error message).
  document.addEventListener('htmx:response:error', (e) => {
    const ctx = e.detail.ctx
    let target = ctx.target
    if (typeof target === 'string') target = document.querySelector(target)
    if (target && target.closest && target.closest('.result')) return
    ctx.target = $('#toast')
    ctx.swap = 'innerHTML'
  })
  document.addEventListener('htmx:after:swap', (e) => {
    const ctx = e.detail && e.detail.ctx
    if (ctx && ctx.target === $('#toast')) showToast()
  })
  document.addEventListener('htmx:error', (e) => {
    const ctx = e.detail && e.detail.ctx
    if (!ctx || !ctx.response) toastText('The request did not reach the server. Check your connection and try again.')
  })
  document.addEventListener('htmx:after:request', (e) => {
    const ctx = e.detail && e.detail.ctx
    const el = e.target
    if (ctx && ctx.response && ctx.response.status < 400 && el && el.matches && el.matches('form[data-reset-on-success]')) el.reset()
  })

  // Assignment editor: filter the checkbox list, tick all/none shown, count ticked.
  document.addEventListener('input', (e) => {
    const f = e.target.closest && e.target.closest('[data-filter-checks]')
    if (f) {
      const needle = f.value.trim().toLowerCase()
      for (const l of $$('.checks label', f.closest('form'))) l.hidden = !!needle && !l.textContent.toLowerCase().includes(needle)
    }
    const rowsFilter = e.target.dataset && e.target.dataset.filterRows
    if (rowsFilter) {
      const needle = e.target.value.trim().toLowerCase()
      for (const tr of $$(`${rowsFilter} > tr`)) tr.hidden = !!needle && !(tr.dataset.filterText || '').toLowerCase().includes(needle)
    }
  })
  document.addEventListener('change', (e) => {
    const form = e.target.closest && e.target.closest('form.assign')
    if (form) countChecked(form)
  })
  function countChecked(form) {
    const out = $('[data-count-checked]', form)
    if (out) out.textContent = nf.format($$('.checks input:checked', form).length)
  }
  document.addEventListener('click', (e) => {
    const b = e.target.closest && e.target.closest('[data-check-all],[data-check-none],[data-close-editor]')
    if (!b) return
    const form = b.closest('form')
    if (b.hasAttribute('data-close-editor')) {
      const cell = form.parentElement
      form.remove()
      cell?.closest('tr')?.previousElementSibling?.querySelector('button[aria-controls]')?.focus()
      return
    }
    for (const l of $$('.checks label', form)) if (!l.hidden) l.querySelector('input').checked = b.hasAttribute('data-check-all')
    countChecked(form)
  })
  document.addEventListener('focusin', (e) => {
    if (e.target.matches && e.target.matches('[data-select-on-focus]')) e.target.select()
  })

  // A flash plays once; a row moved later must not flash again.
  document.addEventListener('animationend', (e) => e.target.classList && e.target.classList.remove('flash'))

  // ------------------------------------------------------------ start
  document.addEventListener('DOMContentLoaded', () => {
    const toast = $('#toast')
    if (toast) new MutationObserver(showToast).observe(toast, { childList: true })
    restoreDashLink()
    refreshTimes()
    setInterval(() => refreshTimes(), 1000)
  })
})()
