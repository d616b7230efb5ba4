import { expect, test } from 'bun:test'
import { fallbackMode } from './engagement.ts'

const kick = 'https://api.kick.com'
const sim = 'http://127.0.0.1:8090'

test('off unless BROWSER_FALLBACK=on', () => {
  expect(fallbackMode({ BROWSER_FALLBACK: 'off', KICK_API_URL: kick, KICK_CLIENT_ID: undefined })).toBe('off')
})

test('no client id against Kick itself: the browser is the only source', () => {
  expect(fallbackMode({ BROWSER_FALLBACK: 'on', KICK_API_URL: kick, KICK_CLIENT_ID: undefined })).toBe('only')
  expect(fallbackMode({ BROWSER_FALLBACK: 'on', KICK_API_URL: 'https://api.kick.com/', KICK_CLIENT_ID: undefined })).toBe('only')
})

test('with credentials, or pointed at another server (kick-sim takes its demo ones), only on failure', () => {
  expect(fallbackMode({ BROWSER_FALLBACK: 'on', KICK_API_URL: kick, KICK_CLIENT_ID: '01JMFMARZ9GN12JNCTEZWWWGRE' })).toBe('on-failure')
  expect(fallbackMode({ BROWSER_FALLBACK: 'on', KICK_API_URL: sim, KICK_CLIENT_ID: undefined })).toBe('on-failure')
})
