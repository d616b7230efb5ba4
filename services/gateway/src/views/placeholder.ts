import { escapeHtml } from './html.ts'

function hue(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) >>> 0
  return h % 360
}

/** Shown when a picture is missing or could not be fetched: a letter or a plain banner. */
export function placeholderSvg(kind: 'avatar' | 'banner', slug: string): string {
  const h = hue(slug)
  if (kind === 'banner')
    return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="240" viewBox="0 0 1200 240"><rect width="1200" height="240" fill="hsl(${h},25%,12%)"/><path d="M0 200 L1200 120 L1200 240 L0 240Z" fill="hsl(${h},30%,18%)"/></svg>`
  const letter = escapeHtml(slug.slice(0, 1).toUpperCase())
  return `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128"><rect width="128" height="128" fill="hsl(${h},30%,18%)"/><text x="64" y="84" font-family="monospace" font-size="64" fill="hsl(${h},80%,70%)" text-anchor="middle">${letter}</text></svg>`
}
