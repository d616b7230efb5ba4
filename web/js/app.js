// kickmon client: connection state, live counts, relative times, row flash.
// No inline scripts anywhere, so the CSP can forbid them.
(() => {
  const $ = (s, root = document) => root.querySelector(s)

  function fmtDuration(ms) {
    const s = Math.max(0, Math.floor(ms / 1000))
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60)
    return h ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s % 60).padStart(2, '0')}s`
  }
  function fmtAgo(ms) {
    const s = Math.max(0, Math.round(ms / 1000))
    return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : `${Math.floor(s / 3600)}h ago`
  }
  function refreshTimes() {
    const now = Date.now()
    for (const t of document.querySelectorAll('time[data-relative]')) {
      const at = Date.parse(t.getAttribute('datetime'))
      if (Number.isNaN(at)) continue
      t.textContent = t.dataset.relative === 'duration' ? fmtDuration(now - at) : fmtAgo(now - at)
    }
  }
  const nf = new Intl.NumberFormat('en-US')
  function refreshCounts() {
    const rows = document.querySelectorAll('#rows > .row')
    if (!$('#count-total')) return
    let live = 0, viewers = 0
    for (const r of rows) if (r.dataset.live === 'true') { live++; viewers += Number(r.dataset.viewers) || 0 }
    $('#count-live').textContent = nf.format(live)
    $('#count-viewers').textContent = nf.format(viewers)
    $('#count-total').textContent = nf.format(rows.length)
  }
  function setConn(state, text) {
    const el = $('#conn')
    if (!el) return
    el.dataset.state = state
    el.textContent = text
  }

  document.addEventListener('htmx:ws:after:connection', () => setConn('open', 'live'))
  document.addEventListener('htmx:ws:close', (e) => {
    const code = e.detail && e.detail.code
    // 4401: our session ended (logout elsewhere, revoked, disabled): go to the login page.
    if (code === 4401) return void (location.href = '/login')
    setConn('closed', 'connection lost, reconnecting…')
  })
  document.addEventListener('htmx:ws:after:message:incoming', () => {
    refreshCounts()
    refreshTimes()
  })
  // Briefly highlight rows that changed (new element nodes from OOB swaps).
  new MutationObserver((muts) => {
    for (const m of muts) for (const n of m.addedNodes) if (n.nodeType === 1 && n.classList.contains('row') && !n.classList.contains('head')) n.classList.add('flash')
  }).observe(document.documentElement, { childList: true, subtree: true })

  document.addEventListener('DOMContentLoaded', () => {
    refreshCounts()
    refreshTimes()
    setInterval(refreshTimes, 1000)
  })
})()
