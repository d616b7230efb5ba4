import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { NatsConnection } from '@nats-io/transport-node'
import { connectAs } from '../../harness/nats-auth.ts'
import { AuthApi, ConfigEntry, User } from '../../../shared/src/contracts/auth.ts'
import { request } from '../../../shared/src/rpc.ts'
import { ADMIN, testStack } from '../../harness/stack.ts'
import { cliCommandLine, json, kickmon, stackEnv, type Run } from './run.ts'
import { Terminal } from './tmux.ts'

// `kickmon users …` and `kickmon config …` through the real entry point against the auth
// service running as a process (with its own PostgreSQL and nats-server).

describe('kickmon users and config against the auth service', () => {
  let stack: Awaited<ReturnType<typeof testStack>>
  let env: Record<string, string | undefined>
  let nc: NatsConnection
  const k = (...args: string[]) => kickmon(args, { env })
  const withStdin = (stdin: string, ...args: string[]) => kickmon(args, { env, stdin })
  const fail = (r: Run) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`
  const login = (username: string, password: string) => request(nc, AuthApi.login.subject, { username, password }, AuthApi.login.output)

  beforeAll(async () => {
    stack = await testStack({ services: ['auth'], sim: false })
    env = stackEnv(stack.env)
    nc = await connectAs(stack.nats.url, 'operator')
  })
  afterAll(async () => {
    await nc?.close()
    await stack?.destroy()
  })

  test('users list shows the first admin; --json is {users, total}', async () => {
    const r = await k('users', 'list')
    expect(r.code, fail(r)).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^ID +USERNAME +ROLE +STATE +NAME +CREATED\\n +1 +${ADMIN.username} +admin +active`))
    const j = json(await k('users', 'list', '--json'))
    expect(j.total).toBe(1)
    expect(User.array().parse(j.users)[0]!.role).toBe('admin')
  })

  test('create reads the password from stdin; the user can log in with it; a taken name is 5', async () => {
    const r = await withStdin('correct horse battery staple\n', 'users', 'create', 'alice', '--role', 'user', '--display-name', 'Alice A.', '--password-stdin')
    expect(r.code, fail(r)).toBe(0)
    expect(r.stdout).toMatch(/^created alice \(id \d+, user\)\n$/)
    expect((await login('alice', 'correct horse battery staple')).user.role).toBe('user')
    const again = await withStdin('another password here\n', 'users', 'create', 'alice', '--password-stdin', '--json')
    expect(again.code).toBe(5)
    expect(json(again).error.code).toBe('CONFLICT')
    const weak = await withStdin('short\n', 'users', 'create', 'bob', '--password-stdin')
    expect(weak.code).toBe(5)
    expect(weak.stderr).toBe('kickmon: password: a password needs at least 8 characters\n')
    const none = await kickmon(['users', 'create', 'bob'], { env })
    expect(none.code).toBe(2)
    expect(none.stderr).toBe('kickmon: no terminal to ask for the password: pipe it in with --password-stdin\n')
  })

  test('on a terminal the password is asked twice and never shown', async () => {
    const term = new Terminal()
    try {
      await term.start(`${await cliCommandLine()} users create carol --role viewer; echo "EXIT=$?"`, { width: 100, height: 12, env: { ...env, PATH: process.env.PATH } })
      await term.waitFor((s) => s.includes('Password:'), 'the password prompt')
      await term.type('typed-secret-99')
      await term.keys('Enter')
      await term.waitFor((s) => s.includes('Again, to confirm:'), 'the confirmation prompt')
      await term.type('typed-secret-99')
      await term.keys('Enter')
      const screen = await term.waitFor((s) => s.includes('EXIT='), 'the command to finish')
      expect(screen).toContain('created carol')
      expect(screen).toContain('EXIT=0')
      expect(screen).not.toContain('typed-secret')
      expect((await login('carol', 'typed-secret-99')).user.username).toBe('carol')
    } finally {
      await term.close()
    }
  })

  test('set-role, disable and enable by username or id; an unknown user is 3', async () => {
    const role = await k('users', 'set-role', 'alice', 'viewer')
    expect(role.code, fail(role)).toBe(0)
    expect(role.stdout).toMatch(/^updated alice \(id \d+, viewer\)\n$/)
    const off = json(await k('users', 'disable', 'alice', '--json'))
    expect(User.parse(off).disabled).toBe(true)
    await expect(login('alice', 'correct horse battery staple')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    const on = await k('users', 'enable', String(off.id))
    expect(on.stdout).toBe(`enabled alice (id ${off.id}, viewer)\n`)
    for (const args of [['users', 'set-role', 'nobody', 'admin'], ['users', 'disable', '999999']]) {
      const r = await k(...args)
      expect(r.code, args.join(' ')).toBe(3)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  test('reset-password: the old password stops working, the new one works', async () => {
    const r = await withStdin('brand new passphrase\n', 'users', 'reset-password', 'alice', '--password-stdin')
    expect(r.code, fail(r)).toBe(0)
    expect(r.stdout).toBe('password of alice changed; their sessions were ended\n')
    await expect(login('alice', 'correct horse battery staple')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    expect((await login('alice', 'brand new passphrase')).user.username).toBe('alice')
  })

  test('assign adds, removes and replaces the streamers a user sees', async () => {
    const add = await k('users', 'assign', 'alice', 'xqc', 'amouranth')
    expect(add.code, fail(add)).toBe(0)
    expect(add.stdout).toBe('alice sees amouranth, xqc\n')
    // Whether they are monitored is the poller's to say; with no poller running that check
    // is skipped, and the assignment still stands.
    expect(add.stderr).toBe('')
    expect((await k('users', 'assign', 'alice', 'xqc', '--remove')).stdout).toBe('alice sees amouranth\n')
    const j = json(await k('users', 'assign', 'alice', 'trainwreckstv', '--replace', '--json'))
    expect(j).toMatchObject({ username: 'alice', slugs: ['trainwreckstv'] })
    expect((await k('users', 'assign', 'alice')).stdout).toBe('alice sees trainwreckstv\n')
    expect((await k('users', 'assign', 'alice', '--replace')).stdout).toBe('alice sees no streamers\n')
    expect((await k('users', 'assign', 'alice', '--remove')).code).toBe(2)
  })

  test('config: plain values round-trip; secrets are encrypted, masked, and never taken from argv', async () => {
    const set = await k('config', 'set', 'ui.banner', 'maintenance at 02:00')
    expect(set.code, fail(set)).toBe(0)
    expect(set.stdout).toBe('set ui.banner\n')
    expect((await k('config', 'get', 'ui.banner')).stdout).toBe('maintenance at 02:00\n')
    const secret = await withStdin('s3cr3t-value\n', 'config', 'set', 'kick.client_secret', '--secret', '--value-stdin')
    expect(secret.stdout).toBe('set kick.client_secret (encrypted)\n')
    expect((await k('config', 'get', 'kick.client_secret')).stdout).toBe('********\n')
    expect((await k('config', 'get', 'kick.client_secret', '--reveal')).stdout).toBe('s3cr3t-value\n')
    const [row] = await stack.db.sql`select value from configuration where key = 'kick.client_secret'`
    expect(row!.value).not.toContain('s3cr3t')
    const list = await k('config', 'list')
    expect(list.stdout).toMatch(/^KEY +VALUE +ENCRYPTED +UPDATED\nkick\.client_secret +\*{8} +yes .*\nui\.banner +maintenance at 02:00 +no /)
    const items = ConfigEntry.array().parse(json(await k('config', 'list', '--prefix', 'kick.', '--json')))
    expect(items.map((i) => [i.key, i.value, i.encrypted])).toEqual([['kick.client_secret', '********', true]])
    expect((await k('config', 'get', 'no.such.key')).code).toBe(3)
    const del = await k('config', 'unset', 'ui.banner')
    expect(del.stdout).toBe('deleted ui.banner\n')
    expect((await k('config', 'unset', 'ui.banner')).code).toBe(3)
  })
})
