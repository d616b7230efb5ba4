// Labels for the viewer chart's time axis (UTC). The precision follows the spacing of the
// ticks uPlot chose, not the length of the data, so a stream a minute old shows seconds, a
// month shows dates, and zooming in sharpens the labels. If two neighbours would still read
// the same (a tick every 30 s labelled to the minute, ticks either side of midnight), the
// next more precise form is used, so neighbouring ticks never look alike.
;(function (root) {
  const FORMS = [
    (d) => d.slice(5, 10), // MM-DD
    (d) => d.slice(11, 16), // HH:MM
    (d) => d.slice(11, 19), // HH:MM:SS
    (d) => `${d.slice(5, 10)} ${d.slice(11, 16)}`, // MM-DD HH:MM
    (d) => `${d.slice(5, 10)} ${d.slice(11, 19)}`, // MM-DD HH:MM:SS
    (d) => `${d.slice(0, 10)} ${d.slice(11, 23)}`, // YYYY-MM-DD HH:MM:SS.mmm
  ]

  /** The first form worth trying for ticks `incr` seconds apart. */
  function startForm(incr, crossesDays) {
    if (incr >= 86400) return 0
    if (incr >= 60) return crossesDays ? 3 : 1
    if (incr >= 1) return crossesDays ? 4 : 2
    return 5
  }

  /** splits: tick times in seconds (ascending); incr: seconds between ticks (uPlot's foundIncr). */
  function timeTickLabels(splits, incr) {
    if (!splits.length) return []
    const isos = splits.map((t) => new Date(Math.round(t * 1000)).toISOString())
    const days = new Set(isos.map((d) => d.slice(0, 10)))
    const step = incr > 0 ? incr : splits.length > 1 ? splits[1] - splits[0] : 1
    for (let f = startForm(step, days.size > 1); f < FORMS.length; f++) {
      const labels = isos.map(FORMS[f])
      if (labels.every((l, i) => i === 0 || l !== labels[i - 1])) return labels
    }
    return isos.map(FORMS[FORMS.length - 1])
  }

  if (typeof module === 'object' && module.exports) module.exports = { timeTickLabels }
  else root.kickmonTimeTicks = timeTickLabels
})(typeof self !== 'undefined' ? self : this)
