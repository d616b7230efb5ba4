// kickmon client: live feed state, the dashboard's sort/filter/group (kept in the URL),
// counts, relative times, error toasts and small form helpers. No inline scripts anywhere,
// so the CSP can forbid them. The view rules mirror services/gateway/src/dashboard-view.ts.
(() => {
  const $ = (s, root = document) => root.querySelector(s)
  const $$ = (s, root = document) => [...root.querySelectorAll(s)]
  const nf = new Intl.NumberFormat('en-US')
  document.documentElement.classList.add('js')

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
  function refreshTimes() {
    const now = Date.now()
    for (const t of document.querySelectorAll('time[data-relative]')) {
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
    setConn('closed', 'connection lost, reconnecting…')
  })

  // ------------------------------------------------------------ dashboard view
  const SORTS = {
    name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    viewers: (a, b) => b.viewers - a.viewers || SORTS.name(a, b),
    live: (a, b) => (a.live !== b.live ? (a.live ? -1 : 1) : SORTS.viewers(a, b)),
  }
  const STATE_ORDER = ['live', 'stale', 'offline']

  function viewState(form) {
    const f = new FormData(form)
    return {
      sort: SORTS[f.get('sort')] ? f.get('sort') : 'live',
      live: f.get('live') === '1',
      category: f.get('category') || '',
      q: String(f.get('q') || '').trim().toLowerCase(),
      group: ['state', 'category'].includes(f.get('group')) ? f.get('group') : 'none',
    }
  }
  function queryString(v, form) {
    const p = new URLSearchParams()
    if (v.sort !== 'live') p.set('sort', v.sort)
    if (v.live) p.set('live', '1')
    if (v.category) p.set('category', v.category)
    const raw = String(new FormData(form).get('q') || '').trim()
    if (raw) p.set('q', raw)
    if (v.group !== 'none') p.set('group', v.group)
    const s = p.toString()
    return s ? `?${s}` : ''
  }
  function rowData(r) {
    const d = r.dataset
    return { el: r, slug: d.slug, name: d.name || '', live: d.live === '1', stale: d.stale === '1', viewers: Number(d.viewers) || 0, category: d.category || '' }
  }
  function matches(x, v) {
    if (v.live && !x.live) return false
    if (v.category && x.category !== v.category) return false
    if (v.q) {
      const title = x.el.querySelector('.title')
      const hay = `${x.slug} ${x.name} ${title ? title.textContent : ''} ${x.category}`.toLowerCase()
      if (!hay.includes(v.q)) return false
    }
    return true
  }
  function groupOf(x, g) {
    if (g === 'state') return x.stale ? 'stale' : x.live ? 'live' : 'offline'
    if (g === 'category') return x.category || '(no category)'
    return ''
  }
  /** Indices (into `seq`) of a longest increasing subsequence: the rows that need not move. */
  function lis(seq) {
    const tails = [], prev = new Array(seq.length)
    for (let i = 0; i < seq.length; i++) {
      let lo = 0, hi = tails.length
      while (lo < hi) { const mid = (lo + hi) >> 1; if (seq[tails[mid]] < seq[i]) lo = mid + 1; else hi = mid }
      prev[i] = lo > 0 ? tails[lo - 1] : -1
      tails[lo] = i
    }
    const keep = new Set()
    for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) keep.add(i)
    return keep
  }
  let groupHeads = new Map()
  function groupHead(name) {
    let h = groupHeads.get(name)
    if (!h) {
      h = document.createElement('div')
      h.className = 'row group'
      h.setAttribute('role', 'row')
      h.dataset.group = name
      h.innerHTML = '<span role="cell"></span>'
      groupHeads.set(name, h)
    }
    return h
  }

  let observer = null
  function applyView() {
    const form = $('#view'), rowsEl = $('#rows')
    if (!form || !rowsEl) return
    const v = viewState(form)
    const rows = $$(':scope > .row[data-slug]', rowsEl).map(rowData)
    // Adopt server-rendered group heads so they are reused, not duplicated.
    for (const h of $$(':scope > .row.group', rowsEl)) if (!groupHeads.has(h.dataset.group)) groupHeads.set(h.dataset.group, h)
    rows.sort(SORTS[v.sort])
    const desired = []
    const shownPerGroup = new Map()
    let shown = 0, live = 0, viewers = 0, stale = 0
    for (const x of rows) {
      const ok = matches(x, v)
      if (x.el.hidden === ok) x.el.hidden = !ok
      if (ok) shown++
      // A stale row's state is only the last known one: it is counted apart, not as live.
      if (x.stale) stale++
      else if (x.live) { live++; viewers += x.viewers }
    }
    if (v.group === 'none') desired.push(...rows.map((x) => x.el))
    else {
      const by = new Map()
      for (const x of rows) {
        const g = groupOf(x, v.group)
        if (!by.has(g)) by.set(g, [])
        by.get(g).push(x)
        if (!x.el.hidden) shownPerGroup.set(g, (shownPerGroup.get(g) || 0) + 1)
      }
      const keys = [...by.keys()].sort((a, b) =>
        v.group === 'state' ? STATE_ORDER.indexOf(a) - STATE_ORDER.indexOf(b) : a === '(no category)' ? 1 : b === '(no category)' ? -1 : a.localeCompare(b))
      for (const k of keys) {
        const h = groupHead(k)
        const n = shownPerGroup.get(k) || 0
        const label = `${k} · ${nf.format(n)}`
        if (h.firstChild.textContent !== label) h.firstChild.textContent = label
        h.hidden = n === 0
        desired.push(h, ...by.get(k).map((x) => x.el))
      }
    }
    const want = new Set(desired)
    for (const h of $$(':scope > .row.group', rowsEl)) if (!want.has(h)) h.remove()
    // Move as few nodes as possible (keeps focus and scroll where they are).
    const current = [...rowsEl.children].filter((el) => want.has(el))
    const pos = new Map(desired.map((el, i) => [el, i]))
    const keep = lis(current.map((el) => pos.get(el)))
    const stay = new Set(current.filter((_, i) => keep.has(i)))
    const focused = document.activeElement
    let next = null
    for (let i = desired.length - 1; i >= 0; i--) {
      const el = desired[i]
      if (!stay.has(el)) rowsEl.insertBefore(el, next)
      next = el
    }
    if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true })
    if (observer) observer.takeRecords()

    const set = (id, n) => { const el = document.getElementById(id); if (el && el.textContent !== nf.format(n)) el.textContent = nf.format(n) }
    set('count-live', live)
    set('count-viewers', viewers)
    set('count-total', rows.length)
    set('count-shown', shown)
    set('count-stale', stale)
    const staleWrap = $('.counts .stale-count')
    if (staleWrap) staleWrap.hidden = stale === 0
    const empty = $('#empty')
    if (empty) {
      empty.hidden = shown > 0
      if (rows.length && !shown) empty.textContent = 'No streamer matches these filters.'
    }
    return v
  }

  function syncUrl() {
    const form = $('#view')
    if (!form) return
    const v = applyView()
    const qs = queryString(v, form)
    if (location.search !== qs) history.replaceState(null, '', location.pathname + qs)
    try { sessionStorage.setItem('kickmon.dash', qs) } catch {}
  }

  /** Rows changed under us (a live update or a snapshot): flash them, re-apply the view before paint. */
  let pending = false
  function watchRows() {
    const rowsEl = $('#rows')
    if (!rowsEl) return
    observer = new MutationObserver((muts) => {
      for (const m of muts) for (const n of m.addedNodes) if (n.nodeType === 1 && n.dataset.slug && !n.classList.contains('group')) n.classList.add('flash')
      if (pending) return
      pending = true
      queueMicrotask(() => {
        pending = false
        applyView()
        refreshTimes()
      })
    })
    observer.observe(rowsEl, { childList: true })
  }

  function wireDashboard() {
    const form = $('#view')
    if (!form) return
    let t = null
    form.addEventListener('input', (e) => {
      clearTimeout(t)
      t = setTimeout(syncUrl, e.target.type === 'search' ? 120 : 0)
    })
    form.addEventListener('change', syncUrl)
    form.addEventListener('submit', (e) => { e.preventDefault(); syncUrl() })
    document.addEventListener('keydown', (e) => {
      const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || '')
      if (e.key === '/' && !typing) { e.preventDefault(); $('#f-q')?.focus() }
      if (e.key === 'Escape' && document.activeElement === $('#f-q')) { $('#f-q').value = ''; syncUrl() }
    })
    syncUrl()
  }

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
    watchRows()
    wireDashboard()
    restoreDashLink()
    refreshTimes()
    setInterval(refreshTimes, 1000)
  })
})()
