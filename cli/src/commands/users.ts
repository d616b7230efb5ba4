import { z } from 'zod'
import { AuthApi, Role, Username, type User } from '@kickmon/shared/contracts/auth'
import { AppError } from '@kickmon/shared/errors'
import { PollerApi } from '@kickmon/shared/contracts/poller'
import { Slug } from '@kickmon/shared/validation'
import { flag, intOption, noArgs } from '../args.ts'
import { command, type Group } from '../command.ts'
import { usage } from '../exit-codes.ts'
import type { Ctx } from '../context.ts'
import { localTime } from '../format.ts'
import { readSecret } from '../secret-input.ts'

// Operators act as the `cli` system actor: NATS access is operator-level (docs/auth.md).
const actor = { system: 'cli' } as const

/** A user named by id or username. */
const UserRef = z.string().regex(/^(\d{1,10}|[A-Za-z0-9_.-]{1,64})$/, 'a user id or username')

async function findUser(ctx: Ctx, ref: string): Promise<User> {
  if (/^\d+$/.test(ref)) return ctx.call(AuthApi.usersGet, { actor, user_id: Number(ref) })
  for (let offset = 0; ; offset += 500) {
    const page = await ctx.call(AuthApi.usersList, { actor, limit: 500, offset })
    const u = page.users.find((x) => x.username === ref)
    if (u) return u
    if (offset + page.users.length >= page.total || !page.users.length) throw new AppError('NOT_FOUND', `no user named "${ref}"`)
  }
}

const passwordStdin = flag('read the password from stdin instead of prompting (for scripts)')

function printUser(ctx: Ctx, u: User, verb: string) {
  if (ctx.json) return ctx.out.data(u)
  ctx.out.line(`${verb} ${u.username} (id ${u.id}, ${u.role}${u.disabled ? ', disabled' : ''})`)
}

const list = command({
  name: 'list',
  summary: 'every user with role and state',
  usage: '',
  options: { limit: intOption('n', 'at most this many (default 100)', 1, 500, 100), offset: intOption('n', 'skip this many', 0, 1_000_000, 0) },
  args: noArgs,
  examples: ['kickmon users list', 'kickmon users list --json | jq -r \'.users[] | select(.role == "admin") | .username\''],
  run: async (ctx, o) => {
    const r = await ctx.call(AuthApi.usersList, { actor, limit: o.limit, offset: o.offset })
    if (ctx.json) return ctx.out.data(r)
    const { s } = ctx.out
    ctx.out.table(
      [
        { header: 'ID', get: (u) => String(u.id), align: 'right' },
        { header: 'USERNAME', get: (u) => u.username },
        { header: 'ROLE', get: (u) => u.role },
        { header: 'STATE', get: (u) => (u.disabled ? 'disabled' : 'active'), style: (v, u) => (u.disabled ? s.yellow(v) : v) },
        { header: 'NAME', get: (u) => u.display_name ?? '', flex: true },
        { header: 'CREATED', get: (u) => localTime(u.created_at) },
      ],
      r.users,
      'no users',
    )
    if (r.total > r.users.length) ctx.out.line(s.dim(`${r.users.length} of ${r.total} (page with --offset)`))
  },
})

const create = command({
  name: 'create',
  summary: 'add a user; the password is prompted for (or read from stdin)',
  usage: '<username>',
  options: {
    role: { schema: Role.default('viewer'), value: 'role', help: 'admin, user or viewer (default viewer: sees only what is assigned)' },
    displayName: { schema: z.string().min(1).max(100).optional(), value: 'name', help: 'the name shown in the dashboard' },
    passwordStdin,
  },
  args: z.tuple([Username]),
  examples: ['kickmon users create alice --role user', "printf '%s' \"$PW\" | kickmon users create bot --role viewer --password-stdin"],
  run: async (ctx, o, [username]) => {
    await ctx.nats() // fail on a missing NATS before anyone types a password
    const password = await readSecret('password', o.passwordStdin, true)
    const u = await ctx.call(AuthApi.usersCreate, { actor, username, password, role: o.role, display_name: o.displayName ?? null })
    printUser(ctx, u, 'created')
  },
})

const setRole = command({
  name: 'set-role',
  summary: "change a user's role (their sessions end so the new role applies at once)",
  usage: '<user> <role>',
  options: {},
  args: z.tuple([UserRef, Role]),
  examples: ['kickmon users set-role alice admin', 'kickmon users set-role 7 viewer'],
  run: async (ctx, _o, [ref, role]) => {
    const u = await findUser(ctx, ref)
    printUser(ctx, await ctx.call(AuthApi.usersUpdate, { actor, user_id: u.id, role }), 'updated')
  },
})

const toggle = (name: 'disable' | 'enable') =>
  command({
    name,
    summary: name === 'disable' ? 'stop a user from logging in (ends their sessions)' : 'let a disabled user log in again',
    usage: '<user>',
    options: {},
    args: z.tuple([UserRef]),
    examples: [`kickmon users ${name} alice`],
    run: async (ctx, _o, [ref]) => {
      const u = await findUser(ctx, ref)
      printUser(ctx, await ctx.call(AuthApi.usersUpdate, { actor, user_id: u.id, disabled: name === 'disable' }), `${name}d`)
    },
  })

const resetPassword = command({
  name: 'reset-password',
  summary: "set a new password for a user (their sessions end)",
  usage: '<user>',
  options: { passwordStdin },
  args: z.tuple([UserRef]),
  examples: ['kickmon users reset-password alice', "printf '%s' \"$PW\" | kickmon users reset-password alice --password-stdin"],
  run: async (ctx, o, [ref]) => {
    const u = await findUser(ctx, ref)
    const password = await readSecret('password', o.passwordStdin, true)
    await ctx.call(AuthApi.usersSetPassword, { actor, user_id: u.id, password })
    if (ctx.json) return ctx.out.data({ ok: true, user_id: u.id, username: u.username })
    ctx.out.line(`password of ${u.username} changed; their sessions were ended`)
  },
})

const assign = command({
  name: 'assign',
  summary: 'which streamers a user sees: show, add, remove or replace',
  usage: '<user> [slug...]',
  description: 'Without slugs it shows the assignments. With slugs it adds them, or removes them with --remove,\nor makes them the whole set with --replace ("--replace" and no slugs clears the set). Admins see everything.',
  options: { remove: flag('remove these slugs instead of adding them'), replace: flag('make these slugs the whole set') },
  args: z.tuple([UserRef], Slug),
  examples: ['kickmon users assign alice', 'kickmon users assign alice xqc trainwreckstv', 'kickmon users assign alice xqc --remove', 'kickmon users assign alice --replace'],
  run: async (ctx, o, [ref, ...slugs]) => {
    if (o.remove && o.replace) throw usage('choose one of --remove and --replace')
    if (o.remove && !slugs.length) throw usage('name the slugs to remove: kickmon users assign <user> <slug...> --remove')
    const u = await findUser(ctx, ref)
    if (o.replace) await ctx.call(AuthApi.assignmentsSet, { actor, user_id: u.id, slugs })
    else for (const slug of slugs) await ctx.call(o.remove ? AuthApi.assignmentsRemove : AuthApi.assignmentsAdd, { actor, user_id: u.id, slug })
    const now = await ctx.call(AuthApi.assignmentsGet, { actor, user_id: u.id })
    if (!o.remove && slugs.length) await warnUnmonitored(ctx, slugs)
    if (ctx.json) return ctx.out.data({ ...now, username: u.username, role: u.role })
    const note = u.role === 'admin' ? ' (an admin sees every streamer anyway)' : ''
    ctx.out.line(`${u.username} sees ${now.slugs.length ? now.slugs.join(', ') : 'no streamers'}${note}`)
  },
})

/** An assignment of a streamer nobody monitors shows nothing: say so, but do not fail. */
async function warnUnmonitored(ctx: Ctx, slugs: string[]) {
  try {
    const monitored = new Set((await ctx.call(PollerApi.list, { slugs })).map((s) => s.slug))
    const missing = slugs.filter((s) => !monitored.has(s))
    if (missing.length) ctx.out.warn(`not monitored yet: ${missing.join(', ')} (kickmon streamers add <slug>)`)
  } catch {
    // The poller being away does not make the assignment wrong.
  }
}

export const usersGroup: Group = {
  name: 'users',
  summary: 'dashboard users: list, create, set-role, disable, enable, reset-password, assign',
  commands: [list, create, setRole, toggle('disable'), toggle('enable'), resetPassword, assign],
}
