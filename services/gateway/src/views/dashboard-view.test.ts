import { expect, test } from 'bun:test'
import { unknownStatus, type StreamerStatus } from '@kickmon/shared/contracts/status'
import { DashQuery, arrange, matches, queryString } from './dashboard-view.ts'
import { slugFromInput, slugsFromList } from '../pages/page-kit.ts'

const s = (slug: string, live: boolean, viewers: number, category: string | null, extra: Partial<StreamerStatus> = {}): StreamerStatus => ({
  ...unknownStatus(slug), username: slug.toUpperCase(), live, viewers, stale: false, category: category ? { id: 1, name: category } : null, ...extra,
})
const list = [s('bravo', false, 0, 'Chess'), s('alpha', true, 10, 'Chess'), s('delta', true, 300, null, { title: 'Big Finals' }), s('charlie', true, 20, 'IRL', { stale: true })]
const slugs = (groups: { rows: StreamerStatus[] }[]) => groups.map((g) => g.rows.map((r) => r.slug))

test('live first by viewers, by viewers, or by name; grouped by state or category', () => {
  expect(slugs(arrange(list, DashQuery.parse({})))).toEqual([['delta', 'charlie', 'alpha', 'bravo']])
  expect(slugs(arrange(list, DashQuery.parse({ sort: 'name' })))).toEqual([['alpha', 'bravo', 'charlie', 'delta']])
  expect(arrange(list, DashQuery.parse({ group: 'state' })).map((g) => g.group)).toEqual(['live', 'stale', 'offline'])
  const byCategory = arrange(list, DashQuery.parse({ group: 'category', sort: 'name' }))
  expect(byCategory.map((g) => [g.group, g.rows.map((r) => r.slug)])).toEqual([['Chess', ['alpha', 'bravo']], ['IRL', ['charlie']], ['(no category)', ['delta']]])
})

test('filters: live only, category, text in name, title or category', () => {
  const pick = (q: Record<string, string>) => list.filter((x) => matches(x, DashQuery.parse(q))).map((x) => x.slug)
  expect(pick({ live: '1' })).toEqual(['alpha', 'delta', 'charlie'])
  expect(pick({ category: 'Chess' })).toEqual(['bravo', 'alpha'])
  expect(pick({ q: 'finals' })).toEqual(['delta'])
  expect(pick({ q: 'irl' })).toEqual(['charlie'])
  expect(() => DashQuery.parse({ sort: 'random' })).toThrow()
})

test('the view goes back into the URL with defaults left out', () => {
  expect(queryString(DashQuery.parse({}))).toBe('')
  expect(queryString(DashQuery.parse({ sort: 'name', live: '1', group: 'category', q: 'a b' }))).toBe('?sort=name&live=1&q=a+b&group=category')
})

test('slugs can be pasted as links, in lists separated any way', () => {
  expect(slugFromInput('  https://kick.com/XQC/videos?x=1 ')).toBe('xqc')
  expect(slugFromInput('www.kick.com/trainwreckstv')).toBe('trainwreckstv')
  expect(slugsFromList('a, b;c\n https://kick.com/d \n a')).toEqual(['a', 'b', 'c', 'd'])
})
