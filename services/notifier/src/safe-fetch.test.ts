import { afterAll, expect, test } from 'bun:test'
import { checkUrl, checkUrlShape, safeFetch, UrlRefused } from './safe-fetch.ts'

const none = { allowHosts: [] as string[] }

test('schemes other than http(s), literal private addresses and local names are refused before any request', () => {
  for (const u of ['file:///etc/passwd', 'gopher://example.com/', 'ftp://example.com/x', 'http://127.0.0.1/', 'http://[::1]:8080/', 'http://169.254.169.254/latest/meta-data',
    'http://2130706433/', 'http://0x7f.1/', 'http://10.1.2.3/', 'http://localhost:8080/', 'http://metadata.google.internal/', 'https://user:pw@example.com/'])
    expect(() => checkUrlShape(u, none)).toThrow(UrlRefused)
  expect(checkUrlShape('https://example.com/hook', none).hostname).toBe('example.com')
})

test('provider types check their hosts; NOTIFY_ALLOW_HOSTS lifts both rules for the hosts it lists', () => {
  expect(() => checkUrlShape('https://discord.evil.example/api/webhooks/1/x', { ...none, channelType: 'discord' })).toThrow('must point at discord.com')
  expect(checkUrlShape('https://discord.com/api/webhooks/1/x', { ...none, channelType: 'discord' }).hostname).toBe('discord.com')
  expect(() => checkUrlShape('http://127.0.0.1:9/bot1:x/sendMessage', { ...none, channelType: 'telegram' })).toThrow(UrlRefused)
  expect(checkUrlShape('http://127.0.0.1:9/bot1:x/sendMessage', { allowHosts: ['127.0.0.1'], channelType: 'telegram' }).port).toBe('9')
})

test('a public name that resolves to a private address is refused after DNS', async () => {
  const resolve = async (h: string) => (h === 'rebind.example' ? [{ address: '93.184.216.34' }, { address: '10.0.0.7' }] : [{ address: '93.184.216.34' }])
  await expect(checkUrl('https://rebind.example/x', { ...none, resolve })).rejects.toThrow('resolves to a private')
  expect((await checkUrl('https://fine.example/x', { ...none, resolve })).hostname).toBe('fine.example')
})

// An allowed host that redirects to one that is not: the redirect is checked like the first URL.
const inner = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('secret') })
const outer = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response(null, { status: 307, headers: { location: `http://127.0.0.1:${inner.port}/` } }) })
afterAll(() => {
  inner.stop(true)
  outer.stop(true)
})

test('every redirect is checked again', async () => {
  const resolve = async () => [{ address: '127.0.0.1' }]
  await expect(safeFetch(`http://localhost:${outer.port}/`, { method: 'POST', body: 'x' }, { allowHosts: ['localhost'], resolve })).rejects.toThrow(UrlRefused)
  const ok = await safeFetch(`http://localhost:${outer.port}/`, { method: 'POST', body: 'x' }, { allowHosts: ['localhost', '127.0.0.1'], resolve })
  expect(await ok.text()).toBe('secret')
})
