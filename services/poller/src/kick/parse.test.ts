import { describe, expect, test } from 'bun:test'
import { normaliseTime, parseChannels, parseLivestreams, parseUsers } from './parse.ts'

// Kick's payloads drift between endpoints and over time (kick-api.md §2, §8): the readers must
// take every spelling we have seen, ignore what they do not know, and never throw.

const JUST_CHATTING = { id: 15, name: 'Just Chatting', thumbnail: 'https://files.kick.com/images/subcategories/15/banner/b697a8a3.webp' }

// kick-api.md §2.1, as captured.
const channel = {
  active_subscribers_count: 1532, banner_picture: 'https://files.kick.com/images/channel/668/banner_image/9b1c0f6e.webp', broadcaster_user_id: 676,
  canceled_subscribers_count: 41, category: JUST_CHATTING, channel_description: 'THE BEST AT ABSOLUTELY EVERYTHING.', slug: 'xqc',
  stream: {
    custom_tags: ['English'], is_live: true, is_mature: true, key: '', language: 'en', start_time: '2026-06-20T21:12:45Z',
    thumbnail: 'https://images.kick.com/video_thumbnails/DsuAwCgUc9Bh/CbkPYkGhoL3E/720.webp', url: '', viewer_count: 53412,
  },
  stream_title: 'LIVE DRAMA NEWS STUFF',
}

// kick-api.md §2.2 (users/livestreams, the v2 item shape).
const v2Live = {
  id: '550e8400-e29b-41d4-a716-446655440000', broadcaster_user: { id: 676, username: 'xQc', profile_picture: 'https://files.kick.com/images/user/676/p.webp' },
  category: JUST_CHATTING, channel: { slug: 'xqc' }, has_mature_content: true, language_code: 'en', started_at: '2026-06-20T21:12:45Z',
  tags: ['English', 'Variety'], thumbnail: 'https://images.kick.com/video_thumbnails/x/720.webp', title: 'LIVE DRAMA NEWS STUFF', viewer_count: 53412,
}

// kick-api.md §2.4 (deprecated v1 livestreams): stream_title, top-level slug and profile_picture.
const v1Live = {
  broadcaster_user_id: 676, category: JUST_CHATTING, channel_id: 668, custom_tags: ['English'], has_mature_content: true, language: 'en',
  profile_picture: 'https://files.kick.com/images/user/676/p.webp', slug: 'xqc', started_at: '2026-06-20T21:12:45Z',
  stream_title: 'LIVE DRAMA NEWS STUFF', thumbnail: 'https://images.kick.com/video_thumbnails/x/480.webp', viewer_count: 53412,
}

const wrap = (...data: unknown[]) => ({ data, message: 'OK' })

describe('parseChannels (/public/v1/channels)', () => {
  test('reads the captured live channel: title from stream_title, start from stream.start_time, category without its thumbnail', () => {
    expect(parseChannels(wrap(channel))).toEqual([{
      userId: 676, slug: 'xqc', title: 'LIVE DRAMA NEWS STUFF', category: { id: 15, name: 'Just Chatting' },
      bannerUrl: channel.banner_picture, bio: 'THE BEST AT ABSOLUTELY EVERYTHING.', live: true, viewers: 53412, startedAt: '2026-06-20T21:12:45.000Z',
      subscribers: { active: 1532, gifted: null }, // captured before Kick added the gifted share
    }])
  })

  test('subscriber counts: active (gifted included) and the gifted share; absent or malformed is unknown, never 0', () => {
    expect(parseChannels(wrap({ ...channel, active_gifted_subscribers_count: 200 }))[0]!.subscribers).toEqual({ active: 1532, gifted: 200 })
    const { active_subscribers_count: _, ...none } = channel
    expect(parseChannels(wrap(none))[0]!.subscribers).toBeNull()
    expect(parseChannels(wrap({ ...channel, active_subscribers_count: null }))[0]!.subscribers).toBeNull()
    expect(parseChannels(wrap({ ...channel, active_subscribers_count: '12' }))[0]!.subscribers).toBeNull()
    expect(parseChannels(wrap({ ...channel, active_subscribers_count: 0, active_gifted_subscribers_count: -3 }))[0]!.subscribers).toEqual({ active: 0, gifted: null })
  })

  test('takes stream.started_at when Kick spells it the livestream way', () => {
    const { start_time: _, ...stream } = channel.stream
    expect(parseChannels(wrap({ ...channel, stream: { ...stream, started_at: '2026-06-20T21:12:45Z' } }))[0]!.startedAt).toBe('2026-06-20T21:12:45.000Z')
  })

  test('an offline channel is returned offline with no start (Kick sends Go\'s zero time)', () => {
    const offline = { ...channel, stream: { ...channel.stream, is_live: false, viewer_count: 0, start_time: '0001-01-01T00:00:00Z' } }
    expect(parseChannels(wrap(offline))[0]).toMatchObject({ userId: 676, live: false, viewers: 0, startedAt: null, title: 'LIVE DRAMA NEWS STUFF' })
  })

  test('missing, null, empty and unset fields: no stream is offline, "" is no title, {id:0,name:""} is no category', () => {
    const bare = { broadcaster_user_id: 42, slug: 'Bare_One', stream_title: '', category: { id: 0, name: '', thumbnail: '' }, stream: null, banner_picture: null }
    expect(parseChannels(wrap(bare))).toEqual([{ userId: 42, slug: 'bare_one', title: null, category: null, bannerUrl: null, bio: null, live: false, viewers: 0, startedAt: null, subscribers: null }])
    expect(parseChannels(wrap({ broadcaster_user_id: 43, slug: 'no-stream' }))[0]).toMatchObject({ live: false, viewers: 0, title: null, category: null })
  })

  test('new and wrongly typed fields do not lose the channel', () => {
    const odd = {
      ...channel, broadcaster_user_id: '676', brand_new_field: { nested: [1] }, category: 'Just Chatting',
      stream: { ...channel.stream, is_live: 'yes', viewer_count: '17', start_time: 12345, shiny: true },
    }
    expect(parseChannels(wrap(odd))[0]).toMatchObject({ userId: 676, slug: 'xqc', category: null, live: false, viewers: 17, startedAt: null })
  })

  test('an item without id or slug is skipped, the rest of the batch kept; a body without data is empty', () => {
    const batch = wrap({ slug: 'no-id' }, { broadcaster_user_id: 7 }, 'junk', null, channel)
    expect(parseChannels(batch).map((c) => c.slug)).toEqual(['xqc'])
    for (const body of [null, {}, { data: null }, { data: {} }, 'OK', { data: 'broadcaster_user_id is required for app tokens', message: 'Bad request' }]) {
      expect(parseChannels(body)).toEqual([])
    }
  })
})

describe('parseLivestreams (/public/v1/users/livestreams and the v1 listing)', () => {
  const expected = {
    userId: 676, slug: 'xqc', title: 'LIVE DRAMA NEWS STUFF', category: { id: 15, name: 'Just Chatting' }, viewers: 53412, startedAt: '2026-06-20T21:12:45.000Z',
    profilePicture: 'https://files.kick.com/images/user/676/p.webp',
  }

  test('the v2 item: per-stream UUID id, broadcaster_user, channel.slug, title, started_at', () => {
    expect(parseLivestreams(wrap(v2Live))).toEqual([{ ...expected, username: 'xQc', streamId: '550e8400-e29b-41d4-a716-446655440000' }])
  })

  test('an older numeric stream id is kept as its string; a malformed one is no id, not a lost item', () => {
    expect(parseLivestreams(wrap({ ...v2Live, id: 74454116 }))[0]!.streamId).toBe('74454116')
    expect(parseLivestreams(wrap({ ...v2Live, id: { nested: true } }))[0]).toMatchObject({ userId: 676, streamId: null })
  })

  test('the v1 item: broadcaster_user_id, top-level slug, stream_title, profile_picture, no stream id', () => {
    expect(parseLivestreams(wrap(v1Live))).toEqual([{ ...expected, username: null, streamId: null }])
  })

  test('start_time instead of started_at, and a zone offset, come out as the same UTC instant', () => {
    const { started_at: _, ...rest } = v2Live
    expect(parseLivestreams(wrap({ ...rest, start_time: '2026-06-21T08:12:45+11:00' }))[0]!.startedAt).toBe('2026-06-20T21:12:45.000Z')
  })

  test('missing and null fields: still live, with nulls and zero viewers; no user id at all is skipped', () => {
    const sparse = { broadcaster_user: { id: 9 }, title: null, category: null, viewer_count: null, started_at: null, new_thing: 1 }
    expect(parseLivestreams(wrap(sparse, { title: 'whose?', viewer_count: 5 }))).toEqual([
      { userId: 9, streamId: null, slug: null, username: null, profilePicture: null, title: null, category: null, viewers: 0, startedAt: null },
    ])
  })
})

describe('parseUsers and normaliseTime', () => {
  test('users: {email, name, profile_picture, user_id}, ids as strings accepted, missing name is null', () => {
    const body = wrap({ email: '', name: 'xQc', profile_picture: 'https://p/676.webp', user_id: 676 }, { user_id: '77' }, { name: 'no id' })
    expect(parseUsers(body)).toEqual([
      { userId: 676, name: 'xQc', profilePicture: 'https://p/676.webp' },
      { userId: 77, name: null, profilePicture: null },
    ])
  })

  test('RFC3339 with or without a zone, the website\'s "YYYY-MM-DD HH:MM:SS" as UTC; garbage and zero times are no time', () => {
    expect(normaliseTime('2025-01-01T11:00:00+11:00')).toBe('2025-01-01T00:00:00.000Z')
    expect(normaliseTime('2026-06-20 21:12:44')).toBe('2026-06-20T21:12:44.000Z')
    for (const t of ['', null, undefined, 'not a time', '0001-01-01T00:00:00Z']) expect(normaliseTime(t)).toBeNull()
  })
})
