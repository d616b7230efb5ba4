// kickmon dashboard: applies the view in the URL (sort, filters, grouping) to the rows as they
// change over the live feed, keeps the counts, and moves as few rows as possible so focus and
// scroll stay put. The rules mirror services/gateway/src/dashboard-view.ts (keep them in step).
(() => {
  const $ = (s, root = document) => root.querySelector(s)
  const $$ = (s, root = document) => [...root.querySelectorAll(s)]
  const nf = new Intl.NumberFormat('en-US')
  const refreshTimes = () => window.kickmon && window.kickmon.refreshTimes()

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

  document.addEventListener('DOMContentLoaded', () => {
    watchRows()
    wireDashboard()
  })
})()
