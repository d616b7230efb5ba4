import { describe, expect, test } from 'bun:test'
import { MalformedWebhook, webhookReading } from './payloads.ts'

// Kick's documented samples (kick-api.md §3.4), and the drift a tolerant reader must survive.
const broadcaster = {
  is_anonymous: false, user_id: 123456789, username: 'broadcaster_name', is_verified: true,
  profile_picture: 'https://example.com/broadcaster_avatar.jpg', channel_slug: 'broadcaster_channel', identity: null,
}
const AT = Date.parse('2025-01-01T00:00:05Z')

describe('webhookReading', () => {
  test('livestream.status.updated, started: a live reading without a viewer count, start time in UTC', () => {
    const r = webhookReading('livestream.status.updated', { broadcaster, is_live: true, title: 'Stream Title', started_at: '2025-01-01T11:00:00+11:00', ended_at: null }, AT)
    expect(r).toEqual({
      target: { userId: 123456789, slug: 'broadcaster_channel' },
      reading: {
        kind: 'live', source: 'webhook', at: AT, viewers: 0, viewersKnown: false, title: 'Stream Title', category: null,
        startedAt: '2025-01-01T00:00:00.000Z', username: 'broadcaster_name', profilePicture: 'https://example.com/broadcaster_avatar.jpg',
      },
    })
  })

  test('livestream.status.updated, ended: an ended reading for the stream that started at started_at, with Kick\'s ended_at', () => {
    const r = webhookReading('livestream.status.updated', { broadcaster, is_live: false, title: 'Stream Title', started_at: '2025-01-01T11:00:00+11:00', ended_at: '2025-01-01T15:00:00+11:00' }, AT)
    expect(r?.reading).toEqual({ kind: 'ended', source: 'webhook', at: AT, startedAt: '2025-01-01T00:00:00.000Z', endedAt: '2025-01-01T04:00:00.000Z' })
  })

  test('livestream.metadata.updated: title and category; Kick\'s empty category is none', () => {
    const body = { broadcaster, metadata: { title: 'New', language: 'en', has_mature_content: true, category: { id: 123, name: 'Category name', thumbnail: 'x' } } }
    expect(webhookReading('livestream.metadata.updated', body, AT)?.reading).toMatchObject({ kind: 'metadata', title: 'New', category: { id: 123, name: 'Category name' } })
    const unset = { broadcaster, metadata: { title: 'New', category: { id: 0, name: '' } } }
    expect(webhookReading('livestream.metadata.updated', unset, AT)?.reading).toMatchObject({ category: null })
  })

  test('drift: ids as strings, missing optional fields, new fields, only a slug', () => {
    const r = webhookReading('livestream.status.updated', { broadcaster: { user_id: '42', extra: 1 }, is_live: true, brand_new: {} }, AT)
    expect(r).toMatchObject({ target: { userId: 42, slug: null }, reading: { kind: 'live', title: null, startedAt: null } })
    const bySlug = webhookReading('livestream.status.updated', { broadcaster: { channel_slug: 'SomeOne' }, is_live: false }, AT)
    expect(bySlug?.target).toEqual({ userId: null, slug: 'someone' })
  })

  test('event types we do not use are not an error', () => {
    expect(webhookReading('chat.message.sent', { anything: true }, AT)).toBeNull()
  })

  test('malformed: no broadcaster to match, no live flag, no metadata, not an object', () => {
    for (const [type, body] of [
      ['livestream.status.updated', { broadcaster: {}, is_live: true }],
      ['livestream.status.updated', { broadcaster }],
      ['livestream.status.updated', { broadcaster, is_live: 'yes' }],
      ['livestream.metadata.updated', { broadcaster }],
      ['livestream.status.updated', null],
      ['livestream.status.updated', [1, 2]],
    ] as const)
      expect(() => webhookReading(type, body, AT)).toThrow(MalformedWebhook)
  })
})
