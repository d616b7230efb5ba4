import type { ChannelInfo, LiveStream } from '../kick/parse.ts'
import type { Reading } from '../detection/readings.ts'

export function readingFromLivestream(l: LiveStream, at: number): Reading {
  return {
    kind: 'live', source: 'api', at, viewers: l.viewers, title: l.title, category: l.category, startedAt: l.startedAt,
    streamId: l.streamId, username: l.username, profilePicture: l.profilePicture,
  }
}

/** /channels says live or not, with title and category even when offline. */
export function readingFromChannel(c: ChannelInfo, at: number): Reading {
  return c.live
    ? { kind: 'live', source: 'api', at, viewers: c.viewers, title: c.title, category: c.category, startedAt: c.startedAt }
    : { kind: 'offline', source: 'api', at }
}
