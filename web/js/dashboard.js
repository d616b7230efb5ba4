// kickmon dashboard: applies the view in the URL (sort, filters, grouping) to the rows as they
// change over the live feed, and keeps the counts. A live update usually touches one row, so
// the page keeps a model of every row in display order and moves only the rows that changed
// (a binary search for each one's new place); a full pass runs only when the view itself
// changes or a snapshot replaces the rows. The rules mirror
// services/gateway/src/views/dashboard-view.ts (keep them in step).
(() => {
  const $ = (s, root = document) => root.querySelector(s)
  const $$ = (s, root = document) => [...root.querySelectorAll(s)]
  const nf = new Intl.NumberFormat('en-US')
  const refreshTimes = (root) => window.kickmon && window.kickmon.refreshTimes(root)

  // ------------------------------------------------------------ the rules
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
  const sameView = (a, b) => a && b && a.sort === b.sort && a.live === b.live && a.category === b.category && a.q === b.q && a.group === b.group
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
  function rowData(el) {
    const d = el.dataset
    const cat = el.querySelector('.category')
    return { el, slug: d.slug, name: d.name || '', live: d.live === '1', stale: el.classList.contains('stale'), viewers: Number(d.viewers) || 0, category: (cat && cat.textContent) || '' }
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
  const groupOrder = (g) => (a, b) =>
    g === 'state' ? STATE_ORDER.indexOf(a) - STATE_ORDER.indexOf(b) : a === '(no category)' ? 1 : b === '(no category)' ? -1 : a.localeCompare(b)

  // ------------------------------------------------------------ the model
  // `order`: every row and group head in display order. Entries: {el, g, head} for heads,
  // {el, g, x} for rows (x = rowData); `g` is the group's index.
  let model = null
  const heads = new Map() // group name → head element (reused across passes)

  function headEl(name) {
    let h = heads.get(name)
    if (!h) {
      h = document.createElement('div')
      h.className = 'row group'
      h.setAttribute('role', 'row')
      h.dataset.group = name
      h.innerHTML = '<span role="cell"></span>'
      heads.set(name, h)
    }
    return h
  }
  const cmpEntry = (sort) => (a, b) => a.g - b.g || (a.head ? -1 : b.head ? 1 : SORTS[sort](a.x, b.x))

  /** Indices (into `seq`) of a longest increasing subsequence: the nodes that need not move. */
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

  /** Rebuild everything from the DOM: the view changed, or a snapshot replaced the rows. */
  function fullPass(rowsEl, v) {
    for (const h of $$(':scope > .row.group', rowsEl)) if (!heads.has(h.dataset.group)) heads.set(h.dataset.group, h)
    const rows = $$(':scope > .row[data-slug]', rowsEl).map(rowData)
    const names = v.group === 'none' ? [''] : [...new Set(rows.map((x) => groupOf(x, v.group)))].sort(groupOrder(v.group))
    const gi = new Map(names.map((n, i) => [n, i]))
    const order = []
    if (v.group !== 'none') for (const n of names) order.push({ el: headEl(n), g: gi.get(n), head: n })
    for (const x of rows) {
      const ok = matches(x, v)
      if (x.el.hidden === ok) x.el.hidden = !ok
      order.push({ el: x.el, g: gi.get(groupOf(x, v.group)), x })
    }
    order.sort(cmpEntry(v.sort))
    const want = new Set(order.map((e) => e.el))
    for (const h of $$(':scope > .row.group', rowsEl)) if (!want.has(h)) h.remove()
    // Move as few nodes as possible (keeps focus and scroll where they are).
    const pos = new Map(order.map((e, i) => [e.el, i]))
    const current = [...rowsEl.children].filter((el) => pos.has(el))
    const keep = lis(current.map((el) => pos.get(el)))
    const stay = new Set(current.filter((_, i) => keep.has(i)))
    const focused = document.activeElement
    let next = null
    for (let i = order.length - 1; i >= 0; i--) {
      if (!stay.has(order[i].el)) rowsEl.insertBefore(order[i].el, next)
      next = order[i].el
    }
    if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true })
    model = { v, order, names, gi, bySlug: new Map(order.filter((e) => e.x).map((e) => [e.x.slug, e])) }
  }

  /** Only some rows changed (live updates): re-file each one; false when a full pass is needed. */
  function incremental(rowsEl, changed, removed) {
    const { v, order, gi, bySlug } = model
    const cmp = cmpEntry(v.sort)
    for (const slug of removed) {
      const e = bySlug.get(slug)
      if (!e) continue
      order.splice(order.indexOf(e), 1)
      bySlug.delete(slug)
    }
    // Take every changed row out first, so no row is placed next to a replaced (detached) one.
    const xs = changed.map(rowData)
    for (const x of xs) {
      const old = bySlug.get(x.slug)
      if (old) order.splice(order.indexOf(old), 1)
      bySlug.delete(x.slug)
    }
    const focused = document.activeElement
    for (const x of xs) {
      const el = x.el
      const g = gi.get(groupOf(x, v.group))
      if (g === undefined) return false // a group we have no head for yet
      const e = { el, g, x }
      let lo = 0, hi = order.length
      while (lo < hi) { const mid = (lo + hi) >> 1; if (cmp(order[mid], e) <= 0) lo = mid + 1; else hi = mid }
      order.splice(lo, 0, e)
      bySlug.set(x.slug, e)
      const ok = matches(x, v)
      if (el.hidden === ok) el.hidden = !ok
      const before = order[lo + 1] ? order[lo + 1].el : null
      if (el.nextElementSibling !== before || el.parentNode !== rowsEl) rowsEl.insertBefore(el, before)
    }
    if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true })
    return true
  }

  function updateCounts() {
    let shown = 0, live = 0, viewers = 0, stale = 0
    const perGroup = new Map()
    for (const e of model.order) {
      if (!e.x) continue
      if (!e.el.hidden) {
        shown++
        perGroup.set(e.g, (perGroup.get(e.g) || 0) + 1)
      }
      // A stale row's state is only the last known one: it is counted apart, not as live.
      if (e.x.stale) stale++
      else if (e.x.live) { live++; viewers += e.x.viewers }
    }
    for (const e of model.order) {
      if (!e.head) continue
      const n = perGroup.get(e.g) || 0
      const label = `${e.head} · ${nf.format(n)}`
      if (e.el.firstChild.textContent !== label) e.el.firstChild.textContent = label
      if (e.el.hidden !== (n === 0)) e.el.hidden = n === 0
    }
    const set = (id, n) => { const el = document.getElementById(id); if (el && el.textContent !== nf.format(n)) el.textContent = nf.format(n) }
    set('count-live', live)
    set('count-viewers', viewers)
    set('count-total', model.bySlug.size)
    set('count-shown', shown)
    set('count-stale', stale)
    const staleWrap = $('.counts .stale-count')
    if (staleWrap) staleWrap.hidden = stale === 0
    const empty = $('#empty')
    if (empty) {
      empty.hidden = shown > 0
      if (model.bySlug.size && !shown) empty.textContent = 'No streamer matches these filters.'
    }
  }

  let observer = null
  /** Apply the view: incrementally for a few changed rows, otherwise in full. */
  function applyView(changed = null, removed = null) {
    const form = $('#view'), rowsEl = $('#rows')
    if (!form || !rowsEl) return null
    const v = viewState(form)
    const small = changed && changed.length + removed.length <= 50
    if (!(small && model && sameView(model.v, v) && incremental(rowsEl, changed, removed))) fullPass(rowsEl, v)
    if (observer) observer.takeRecords()
    updateCounts()
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
  function watchRows() {
    const rowsEl = $('#rows')
    if (!rowsEl) return
    let added = new Set(), gone = new Set(), pending = false
    observer = new MutationObserver((muts) => {
      for (const m of muts) {
        for (const n of m.removedNodes) if (n.nodeType === 1 && n.dataset.slug) gone.add(n.dataset.slug)
        for (const n of m.addedNodes) {
          if (n.nodeType !== 1 || !n.dataset.slug) continue
          n.classList.add('flash')
          added.add(n)
        }
      }
      if (pending) return
      pending = true
      queueMicrotask(() => {
        pending = false
        const changed = [...added].filter((el) => el.isConnected)
        const slugs = new Set(changed.map((el) => el.dataset.slug))
        const removed = [...gone].filter((s) => !slugs.has(s))
        added = new Set()
        gone = new Set()
        applyView(changed, removed)
        for (const el of changed) refreshTimes(el)
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
