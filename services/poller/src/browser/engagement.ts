import type { PollerConfig } from '../config.ts'

/**
 * When the browser fallback reads channels:
 * - `off`: BROWSER_FALLBACK=off (the default).
 * - `only`: no API credentials. KICK_CLIENT_ID is unset and KICK_API_URL is Kick's own API,
 *   where kick-sim's demo credentials can never work, so the API is not called at all and
 *   the browser reads every streamer.
 * - `on-failure`: credentials exist (KICK_CLIENT_ID, or the demo ones kick-sim accepts when
 *   KICK_API_URL points elsewhere); the browser reads only streamers the API keeps failing for.
 */
export type FallbackMode = 'off' | 'only' | 'on-failure'

export const KICK_API_HOST = 'api.kick.com'

export function fallbackMode(c: Pick<PollerConfig, 'BROWSER_FALLBACK' | 'KICK_CLIENT_ID' | 'KICK_API_URL'>): FallbackMode {
  if (c.BROWSER_FALLBACK !== 'on') return 'off'
  return !c.KICK_CLIENT_ID && new URL(c.KICK_API_URL).hostname === KICK_API_HOST ? 'only' : 'on-failure'
}
