import { expect, test } from 'bun:test'
import { unknownStatus } from '@kickmon/shared/contracts/status'
import type { Monitor } from '../detection/monitor.ts'
import { WebhookCoverage } from './coverage.ts'
import type { SubscriptionManager } from './subscription-manager.ts'

// User 1 offline, 2 live, 3 offline but stale, 4 offline without subscriptions.
const statuses = new Map([
  ['a', { ...unknownStatus('a'), live: false, stale: false }],
  ['b', { ...unknownStatus('b'), live: true, stale: false }],
  ['c', { ...unknownStatus('c'), live: false, stale: true }],
  ['d', { ...unknownStatus('d'), live: false, stale: false }],
])
const monitor = { slugOf: (uid: number) => ' abcd'[uid] ?? null, get: (slug: string) => statuses.get(slug) ?? null } as unknown as Monitor
const subs = { covers: (uid: number) => uid !== 4 } as unknown as SubscriptionManager
const NOW = 1_800_000_000_000

test('offline and fresh with both subscriptions: covered-offline; live or stale: covered; no subscriptions: none', () => {
  const classify = new WebhookCoverage(() => subs, () => NOW - 1000, monitor, 60_000).classifier(NOW)!
  expect([1, 2, 3, 4].map(classify)).toEqual(['covered-offline', 'covered', 'covered', 'none'])
})

test('no delivery within the window, none yet, or no subscription manager here: nobody is covered', () => {
  expect(new WebhookCoverage(() => subs, () => NOW - 60_001, monitor, 60_000).classifier(NOW)).toBeNull()
  expect(new WebhookCoverage(() => subs, () => NOW - 60_000, monitor, 60_000).classifier(NOW)).not.toBeNull()
  expect(new WebhookCoverage(() => subs, () => null, monitor, 60_000).classifier(NOW)).toBeNull()
  expect(new WebhookCoverage(() => null, () => NOW, monitor, 60_000).classifier(NOW)).toBeNull()
})
