import { describe, expect, test } from 'bun:test'
import { judgePage, parseWebsiteChannel } from './website-channel.ts'

// The website channel JSON (docs/kick-api.md#channel-json), trimmed to what we read.
const live = {
  id: 668, user_id: 676, slug: 'xqc', followers_count: 1043122,
  livestream: {
    id: 74454116, created_at: '2026-06-20 21:12:45', session_title: 'LIVE DRAMA NEWS STUFF', is_live: true, start_time: '2026-06-20 21:12:44',
    viewer_count: 53412, categories: [{ id: 15, category_id: 2, name: 'Just Chatting', slug: 'just-chatting', category: { id: 2, name: 'IRL' } }],
  },
  user: { id: 676, username: 'xQc', profile_pic: 'https://files.kick.com/images/user/676/p.webp' },
}

describe('parseWebsiteChannel', () => {
  test('reads the live shape, with "YYYY-MM-DD HH:MM:SS" as UTC', () => {
    expect(parseWebsiteChannel(live)).toEqual({
      userId: 676, slug: 'xqc', username: 'xQc', profilePicture: 'https://files.kick.com/images/user/676/p.webp', followers: 1043122,
      live: true, viewers: 53412, title: 'LIVE DRAMA NEWS STUFF', category: { id: 15, name: 'Just Chatting' }, startedAt: '2026-06-20T21:12:44.000Z',
    })
  })

  test('livestream null means offline, and offline carries no stream fields', () => {
    expect(parseWebsiteChannel({ ...live, livestream: null })).toMatchObject({ live: false, viewers: 0, title: null, category: null, startedAt: null, userId: 676 })
  })

  test('tolerates drift: v1 spellings, missing and wrongly typed fields, new fields', () => {
    const drifted = {
      slug: 'XQC', followersCount: '12', user: { username: null, id: '676', brand_new: true }, mystery: [1, 2],
      livestream: { viewers: '17', session_title: null, start_time: 'not a time', categories: 'nope', category: { id: 3, name: 'Slots' } },
    }
    expect(parseWebsiteChannel(drifted)).toEqual({
      userId: 676, slug: 'xqc', username: null, profilePicture: null, followers: 12,
      live: true, viewers: 17, title: null, category: { id: 3, name: 'Slots' }, startedAt: null,
    })
    expect(parseWebsiteChannel({ ...live, livestream: { ...live.livestream, is_live: false } })?.live).toBe(false)
  })

  test('anything without a slug is not a channel', () => {
    for (const bad of [null, 42, 'x', [], {}, { slug: '' }, { data: live }]) expect(parseWebsiteChannel(bad)).toBeNull()
  })
})

describe('judgePage', () => {
  test('JSON of a channel, as shown plainly or after a pretty-print header', () => {
    expect(judgePage({ status: 200, title: '', text: JSON.stringify(live) }).kind).toBe('channel')
    expect(judgePage({ status: 200, title: '', text: `Pretty-print\n${JSON.stringify(live, null, 2)}` }).kind).toBe('channel')
  })

  test('Kick WAF JSON is a block', () => {
    const text = JSON.stringify({ error: 'Request blocked by security policy.', reference: '9e4db7e3' })
    expect(judgePage({ status: 403, title: '', text })).toEqual({ kind: 'blocked', reason: 'waf', status: 403 })
  })

  test('a Cloudflare challenge is pending (it may resolve by itself)', () => {
    expect(judgePage({ status: 403, title: 'Just a moment...', text: 'kick.com\nVerifying you are human. This may take a few seconds.' }).kind).toBe('pending')
  })

  test('404, 429 and other 403 pages', () => {
    expect(judgePage({ status: 404, title: 'Not Found', text: '404\nNot Found' }).kind).toBe('not_found')
    expect(judgePage({ status: 429, title: '', text: 'slow down' })).toEqual({ kind: 'blocked', reason: 'rate_limited', status: 429 })
    expect(judgePage({ status: 403, title: 'Forbidden', text: 'Access denied' })).toEqual({ kind: 'blocked', reason: 'http', status: 403 })
    expect(judgePage({ status: 502, title: '502', text: 'Bad gateway' }).kind).toBe('error')
    expect(judgePage({ status: 200, title: '', text: '{"data":[]}' }).kind).toBe('error')
  })
})
