// The streamer page's viewer chart: uPlot, fed by /api/v1/streamers/<slug>/viewers, which
// the server downsamples (average, min and max per bucket). Ranges switch without a reload
// and stay in the URL (?range=); the live range refreshes itself while the stream runs.
(() => {
  const RANGES = { '24h': { span: 86400, step: 300 }, '7d': { span: 7 * 86400, step: 1800 }, '30d': { span: 30 * 86400, step: 7200 } }
  const nf = new Intl.NumberFormat('en-US')
  let plot = null, timer = null

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#ccc'
  }

  function windowFor(el, range) {
    const now = Date.now()
    if (range === 'live') {
      const from = el.dataset.liveFrom
      if (from) return { from, to: el.dataset.liveTo || new Date(now).toISOString(), live: !el.dataset.liveTo }
      range = '24h'
    }
    const r = RANGES[range]
    return { from: new Date(now - r.span * 1000).toISOString(), to: new Date(now).toISOString(), step: r.step }
  }

  async function load(el, range) {
    const note = document.getElementById('chart-note')
    const w = windowFor(el, range)
    const qs = new URLSearchParams({ from: w.from, to: w.to })
    if (w.step) qs.set('step', String(w.step))
    let data
    try {
      const res = await fetch(`/api/v1/streamers/${encodeURIComponent(el.dataset.slug)}/viewers?${qs}`, { headers: { accept: 'application/json' } })
      data = await res.json()
      if (!res.ok) throw new Error((data && data.error && data.error.message) || `HTTP ${res.status}`)
    } catch (e) {
      note.textContent = `could not load the viewer history: ${e.message}`
      return
    }
    const pts = data.points
    const xs = pts.map((p) => Date.parse(p.at) / 1000)
    const series = [xs, pts.map((p) => p.avg), pts.map((p) => p.min), pts.map((p) => p.max)]
    // The axis spans the window asked for, not just the samples: one or two samples (a young
    // stream) would otherwise make uPlot pad the axis by years, with every tick at midnight.
    const from = Date.parse(w.from) / 1000, to = Date.parse(w.to) / 1000
    if (!xs.length || from < xs[0]) for (const s of series) s.unshift(s === xs ? from : null)
    if (to > xs[xs.length - 1]) for (const s of series) s.push(s === xs ? to : null)
    draw(el, series)
    el.dataset.points = String(pts.length)
    if (!pts.length) note.textContent = 'no viewer samples in this range yet'
    else {
      let peak = pts[0]
      for (const p of pts) if (p.max > peak.max) peak = p
      const avg = pts.reduce((n, p) => n + p.avg, 0) / pts.length
      note.textContent = `${nf.format(pts.length)} points of ${data.step_s} s · peak ${nf.format(peak.max)} at ${new Date(peak.at).toISOString().slice(0, 16).replace('T', ' ')} UTC · mean ${nf.format(Math.round(avg))}`
    }
    clearTimeout(timer)
    if (w.live) timer = setTimeout(() => load(el, range), 15000)
  }

  function draw(el, series) {
    const width = Math.max(280, el.clientWidth)
    const fg = css('--dim'), grid = css('--line'), amber = css('--amber'), green = css('--green')
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } }
    // UTC labels as precise as the tick spacing needs (time-ticks.js); the drawn labels are
    // kept on the element too, for screen readers' summary and the tests.
    const ticks = (u, splits, axisIdx, space, incr) => {
      const labels = kickmonTimeTicks(splits, incr)
      el.dataset.xTicks = labels.join('|')
      return labels
    }
    const opts = {
      width, height: 280,
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true } },
      legend: { live: true },
      series: [
        { label: 'time (UTC)', value: (u, v) => (v == null ? '–' : new Date(v * 1000).toISOString().slice(0, 19).replace('T', ' ')) },
        { label: 'avg viewers', stroke: amber, width: 2, value: (u, v) => (v == null ? '–' : nf.format(Math.round(v))) },
        { label: 'min', stroke: green, width: 1, dash: [4, 4], value: (u, v) => (v == null ? '–' : nf.format(v)) },
        { label: 'max', stroke: green, width: 1, value: (u, v) => (v == null ? '–' : nf.format(v)) },
      ],
      bands: [{ series: [3, 2], fill: 'rgba(76,255,122,0.08)' }],
      axes: [{ ...axis, space: 90, values: ticks }, { ...axis, size: 60, values: (u, vals) => vals.map((v) => nf.format(v)) }],
    }
    if (plot) plot.destroy()
    el.innerHTML = ''
    plot = new uPlot(opts, series, el)
  }

  document.addEventListener('DOMContentLoaded', () => {
    const el = document.getElementById('chart')
    if (!el || typeof uPlot === 'undefined' || typeof kickmonTimeTicks === 'undefined') return
    const csv = document.getElementById('csv-viewers')
    const select = (range) => {
      for (const a of document.querySelectorAll('.ranges a')) a.toggleAttribute('aria-current', a.dataset.range === range)
      if (known(range)) el.dataset.range = range
      if (csv) {
        csv.href = csv.href.replace(/range=[^&]*/, `range=${range}`)
        csv.textContent = `viewer history (${range})`
      }
      load(el, range)
    }
    const known = (r) => r === 'live' || r in RANGES
    for (const a of document.querySelectorAll('.ranges a')) {
      a.addEventListener('click', (e) => {
        e.preventDefault()
        history.replaceState(null, '', `?range=${a.dataset.range}`)
        select(a.dataset.range)
      })
    }
    let resize = null
    window.addEventListener('resize', () => {
      clearTimeout(resize)
      resize = setTimeout(() => plot && plot.setSize({ width: Math.max(280, el.clientWidth), height: 280 }), 150)
    })
    select(el.dataset.range || 'live')
  })
})()
