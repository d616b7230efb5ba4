import { createHmac, randomBytes } from 'node:crypto'
import { html, json } from './http.ts'

// The two ways kick.com blocks non-browsers (docs/kick-api.md#blocks):
// 1. a Cloudflare JS challenge: 403 + `cf-mitigated: challenge` + "Just a moment..." page whose
//    inline script computes a clearance cookie and reloads, so a real browser passes and a
//    plain HTTP client (which runs no JavaScript) never does;
// 2. Kick's WAF: 403 JSON `{"error":"Request blocked by security policy.","reference":"<8 hex>"}`.

const COOKIE = 'cf_clearance'
const IATA = ['FRA', 'AMS', 'LHR', 'IAD', 'SJC', 'CDG', 'WAW', 'GRU']

export function cfRay(): string {
  return `${randomBytes(8).toString('hex')}-${IATA[randomBytes(1)[0]! % IATA.length]}`
}

/** Headers every kick.com answer carries (it sits behind Cloudflare). */
export function cloudflareHeaders(): Record<string, string> {
  return { server: 'cloudflare', 'cf-ray': cfRay() }
}

/** The answer the page's script computes; the server checks it. Kept in sync with SCRIPT below. */
function solve(nonce: string): string {
  let a = 0
  for (let i = 0; i < nonce.length; i++) a = (Math.imul(a, 31) + nonce.charCodeAt(i)) >>> 0
  return ((a ^ 0x5bd1e995) >>> 0).toString(16)
}

export class Challenge {
  private readonly secret = randomBytes(32)

  private mac(nonce: string): string {
    return createHmac('sha256', this.secret).update(nonce).digest('hex').slice(0, 32)
  }

  /** True when the request carries a clearance cookie this simulator issued. */
  cleared(req: Request): boolean {
    const cookie = req.headers.get('cookie')
    if (!cookie) return false
    const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([0-9a-f]+)\\.([0-9a-f]+)\\.([0-9a-f]+)`).exec(cookie)
    if (!m) return false
    const [, nonce = '', mac = '', answer = ''] = m
    return mac === this.mac(nonce) && answer === solve(nonce)
  }

  page(): Response {
    const nonce = randomBytes(16).toString('hex')
    const ray = cfRay()
    const opt = JSON.stringify({ cvId: '3', cZone: 'kick.com', cType: 'managed', cRay: ray.split('-')[0], cH: this.mac(nonce), cN: nonce, cFPWv: 'b' })
    const body = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=Edge"><meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1"><style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15;font-family:system-ui,sans-serif;color:#313131}body{display:flex;flex-direction:column;height:100vh;min-height:100vh}.main-content{margin:8rem auto;max-width:60rem;padding-left:1.5rem}h1{font-size:2.5rem;font-weight:500}h2{font-size:1.5rem;font-weight:500;margin-top:1rem}</style></head><body><div class="main-wrapper" role="main"><div class="main-content"><h1 class="zone-name-title h1">kick.com</h1><h2 id="challenge-running" class="h2">Verifying you are human. This may take a few seconds.</h2><div id="challenge-success-text" class="h2" style="display:none">Verification successful</div><noscript><div class="h2">Enable JavaScript and cookies to continue</div></noscript></div></div><script>(function(){window._cf_chl_opt=${opt};var o=window._cf_chl_opt,n=o.cN,a=0;for(var i=0;i<n.length;i++){a=(Math.imul(a,31)+n.charCodeAt(i))>>>0}a=((a^0x5bd1e995)>>>0).toString(16);document.cookie="${COOKIE}="+n+"."+o.cH+"."+a+"; path=/; max-age=1800; SameSite=Lax";document.getElementById("challenge-running").style.display="none";document.getElementById("challenge-success-text").style.display="block";setTimeout(function(){location.reload()},250)})();</script><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=${ray.split('-')[0]}"></script><div class="footer" role="contentinfo"><div class="footer-inner">Ray ID: <code>${ray.split('-')[0]}</code> &middot; Performance &amp; security by Cloudflare</div></div></body></html>`
    return html(body, 403, {
      'cf-mitigated': 'challenge',
      server: 'cloudflare',
      'cf-ray': ray,
      'cache-control': 'private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, pre-check=0',
      'set-cookie': `__cf_bm=${randomBytes(24).toString('base64url')}; path=/; expires=${new Date(Date.now() + 1_800_000).toUTCString()}; HttpOnly; SameSite=Lax`,
    })
  }
}

export function wafBlock(): Response {
  return json({ error: 'Request blocked by security policy.', reference: randomBytes(4).toString('hex') }, 403, cloudflareHeaders())
}
