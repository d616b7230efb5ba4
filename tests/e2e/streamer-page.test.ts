import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser, Page } from 'playwright-core'
import { readFile } from 'node:fs/promises'
import { launchBrowser } from '../harness/browser.ts'
import { eventually } from '../harness/services.ts'
import { testStack } from '../harness/stack.ts'
import { adminApi, adminPage, closeAll, shot, simChannels, simPatch } from './helpers.ts'

// The streamer page against a simulated stream: the chart draws the recorded history, the
// past-streams table and the timeline show what happened, and both CSV downloads say exactly
// what PostgreSQL holds.
let stack: Awaited<ReturnType<typeof testStack>>
let browser: Browser
let page: Page
let slug: string
const VIEWERS = [120, 340, 260, 500, 410, 380]

beforeAll(async () => {
  stack = await testStack({ sim: { channels: 3, activity: false } })
  slug = (await simChannels(stack.simUrl!))[0]!
  await simPatch(stack.simUrl!, slug, { live: false })
  const api = await adminApi(stack.gatewayUrl)
  await api.json('POST', '/api/v1/streamers', { slug })
  // One short stream: viewers move every poll, the title and category change once.
  await simPatch(stack.simUrl!, slug, { live: true, viewers: VIEWERS[0], title: 'warming up', category: 'Just Chatting' })
  for (const v of VIEWERS.slice(1)) {
    await Bun.sleep(1300)
    await simPatch(stack.simUrl!, slug, { viewers: v, ...(v === 500 ? { title: 'the main event', category: 'Chess' } : {}) })
  }
  await Bun.sleep(1300)
  await simPatch(stack.simUrl!, slug, { live: false })
  await eventually(async () => {
    const [r] = await stack.db.sql`select ss.ended_at from stream_sessions ss join streamers s on s.id = ss.streamer_id where s.slug = ${slug}`
    return r?.ended_at
  }, 20_000, 'the stream to end in PostgreSQL')
  browser = await launchBrowser()
  page = await adminPage(browser, stack.gatewayUrl)
}, 120_000)

afterAll(() => closeAll(browser, stack))

test('the chart draws the simulated history; ranges switch without a reload', async () => {
  await page.goto(`${stack.gatewayUrl}/streamers/${slug}`)
  await page.waitForSelector('#chart canvas')
  await page.waitForFunction(() => Number((document.getElementById('chart') as HTMLElement).dataset.points) > 0)
  const points = Number(await page.locator('#chart').getAttribute('data-points'))
  const counted = await stack.db.sql<{ n: number }[]>`
    select count(distinct date_trunc('second', v.at))::int as n
    from viewer_samples v join streamers s on s.id = v.streamer_id join stream_sessions ss on ss.streamer_id = s.id
    where s.slug = ${slug} and v.at >= ss.started_at and v.at < ss.ended_at`
  expect(points).toBe(counted[0]!.n) // the last stream is short: one point per sample
  expect(points).toBeGreaterThanOrEqual(VIEWERS.length)
  expect(await page.locator('#chart-note').textContent()).toContain('peak 500')
  await shot(page, 'streamer-page')

  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true))
  await page.click('.ranges a[data-range="24h"]')
  await page.waitForFunction(() => location.search === '?range=24h' && document.getElementById('chart')?.dataset.range === '24h')
  await page.waitForFunction(() => /points of 300 s/.test(document.getElementById('chart-note')!.textContent!))
  expect(await page.locator('#csv-viewers').getAttribute('href')).toContain('range=24h')
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true)
}, 60_000)

test('the time axis: ticks of a seconds-long stream and of a day with one short stream all read differently', async () => {
  const ticks = async (range: string) => {
    await page.goto(`${stack.gatewayUrl}/streamers/${slug}?range=${range}`)
    await page.waitForFunction((r) => {
      const el = document.getElementById('chart') as HTMLElement
      return el.dataset.range === r && Number(el.dataset.points) > 0 && !!el.dataset.xTicks
    }, range)
    return (await page.locator('#chart').getAttribute('data-x-ticks'))!.split('|')
  }
  const distinct = (labels: string[]) => labels.every((l, i) => i === 0 || l !== labels[i - 1])
  // The stream lasted seconds: second-precise labels.
  const live = await ticks('live')
  expect(live.length).toBeGreaterThanOrEqual(2)
  expect(distinct(live)).toBe(true)
  expect(live.every((l) => /^\d\d:\d\d:\d\d$/.test(l))).toBe(true)
  // 24 h of 5-minute buckets holding that one short stream: one or two points, which used to
  // stretch the axis over years with every tick reading 00:00:00.
  const day = await ticks('24h')
  expect(day.length).toBeGreaterThanOrEqual(3)
  expect(distinct(day)).toBe(true)
  expect(day.filter((l) => l.endsWith('00:00:00')).length).toBeLessThanOrEqual(1)
  const [first, last] = [day[0]!, day.at(-1)!]
  expect(first).not.toBe(last)
}, 60_000)

test('past streams and the title/category timeline show what happened', async () => {
  await page.goto(`${stack.gatewayUrl}/streamers/${slug}`)
  // Kick's API gives both subscriber counts; only its website has followers (no browser fallback here).
  const ch = (await (await fetch(`${stack.simUrl}/_sim/channels/${slug}`)).json()) as { active_subscribers_count: number; active_gifted_subscribers_count: number }
  const n = (x: number) => x.toLocaleString('en-US')
  expect(await page.locator('.profile .subscribers').textContent()).toBe(`${n(ch.active_subscribers_count)} subscribers (${n(ch.active_gifted_subscribers_count)} gifted)`)
  expect(await page.locator('.profile .followers').textContent()).toBe('followers unknown')
  const row = page.locator('#sessions-body tr').first()
  expect(await row.locator('td').nth(2).textContent()).toStartWith('500') // peak, then when
  expect(await row.locator('td').nth(5).textContent()).toBe('the main event') // the stream's last title
  const timeline = await page.locator('#timeline-body').textContent()
  expect(timeline).toContain('title → the main event')
  expect(timeline).toContain('category → Chess')
  expect(timeline).toContain('went offline')
})

test('both CSV downloads match PostgreSQL', async () => {
  await page.goto(`${stack.gatewayUrl}/streamers/${slug}?range=live`)
  const download = async (selector: string) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)])
    return { name: d.suggestedFilename(), text: await readFile((await d.path())!, 'utf8') }
  }

  const viewers = await download('#csv-viewers')
  const step = Number(viewers.name.match(/-(\d+)s\.csv$/)![1])
  const lines = viewers.text.trim().split('\r\n')
  expect(lines[0]).toBe('at,avg_viewers,min_viewers,max_viewers')
  const want = await stack.db.sql`
    select to_timestamp(floor(extract(epoch from v.at) / ${step}::int) * ${step}::int) as at,
           round(avg(v.viewers)::numeric, 2)::float8 as avg, min(v.viewers) as min, max(v.viewers) as max
    from viewer_samples v join streamers s on s.id = v.streamer_id
    join stream_sessions ss on ss.streamer_id = s.id
    where s.slug = ${slug} and v.at >= ss.started_at and v.at < ss.ended_at
    group by 1 order by 1`
  expect(lines.slice(1)).toEqual(want.map((r) => `${(r.at as Date).toISOString()},${r.avg},${r.min},${r.max}`))

  const sessions = await download('a[href$="/sessions.csv"]')
  const [head, ...rows] = sessions.text.trim().split('\r\n')
  expect(head).toBe('started_at,ended_at,duration_s,peak_viewers,peak_at,avg_viewers,hours_watched,title,category')
  const db = await stack.db.sql`
    select ss.* from stream_sessions ss join streamers s on s.id = ss.streamer_id where s.slug = ${slug} order by ss.started_at desc`
  expect(rows.length).toBe(db.length)
  for (const [i, r] of db.entries()) {
    const cells = rows[i]!.split(',')
    const duration = Math.floor(((r.ended_at as Date).getTime() - (r.started_at as Date).getTime()) / 1000)
    expect(cells.slice(0, 5)).toEqual([(r.started_at as Date).toISOString(), (r.ended_at as Date).toISOString(), String(duration), String(r.peak_viewers), (r.peak_at as Date).toISOString()])
    // Time-weighted over the time the count was shown (counted_seconds, sql/0006).
    expect(r.counted_seconds).toBeGreaterThan(0)
    expect(Number(cells[5])).toBeCloseTo(r.viewer_seconds / r.counted_seconds, 1)
    expect(Number(cells[6])).toBeCloseTo(r.viewer_seconds / 3600, 2)
    expect(cells.slice(7)).toEqual([r.title, r.category_name])
  }
}, 60_000)
