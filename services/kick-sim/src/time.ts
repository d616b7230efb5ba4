// Kick formats time three ways; keeping them here makes the drift between endpoints explicit.

/** Public API: RFC3339 UTC without fractions, e.g. "2025-04-01T14:38:29Z". */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Website livestream objects: "YYYY-MM-DD HH:MM:SS" (UTC, no zone). */
export function sqlTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

/** Website elsewhere: Laravel's ISO-8601 with microseconds, e.g. "2022-10-22T06:59:51.000000Z". */
export function laravelTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

/** The public API's offline `stream.start_time`: Go's zero time (Kick's API is Go). [INF] */
export const ZERO_TIME = '0001-01-01T00:00:00Z'
