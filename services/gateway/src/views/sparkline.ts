import { html, type Html } from './html.ts'

const W = 60
const H = 16

/** A tiny inline SVG line (presentation attributes only, so the strict CSP allows it). */
export function sparkline(values: number[], label: string): Html {
  if (values.length < 2) return html``
  const min = Math.min(...values), max = Math.max(...values)
  const span = max - min || 1
  const step = W / (values.length - 1)
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(H - 1 - ((v - min) / span) * (H - 2)).toFixed(1)}`).join(' ')
  return html`<svg class="spark" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${label}"><polyline points="${pts}"/></svg>`
}
