import { z } from 'zod'
import { flag } from '../args.ts'
import { command, type Group } from '../command.ts'
import { Exit, usage } from '../exit-codes.ts'
import { AppError } from '@kickmon/shared/errors'
import { addKey, dropOldKeys, ensureNatsAuth, keyFiles, rotateKey, IDENTITIES } from '../../../scripts/infra/nats-auth.ts'
import type { Identity } from '../../../deploy/nats/permissions.ts'

// NATS keys for an install (docs/nats.md "Identities and permissions"): one nkey per identity,
// generated once (mode 0600), and the nats-server files that admit them with their
// permissions. Works offline: it writes files, and nats-server picks them up on reload.

const name = z.string().regex(/^[a-z0-9_-]{1,40}$/, 'a key name is 1 to 40 of a-z 0-9 _ -')

const natsKeys = command({
  name: 'nats-keys',
  summary: 'create, add or rotate the NATS keys of an install and write nats-server\'s auth.conf',
  usage: '<dir>',
  description:
    'Keeps one nkey seed per identity in <dir> (poller.nk, auth.nk, gateway.nk, notifier.nk, operator.nk, subscriber.nk; created\n' +
    'when missing, mode 0600) and writes <dir>/auth.conf and <dir>/permissions.conf for nats-server to include. Give each\n' +
    'process its file as NATS_NKEY_SEED_FILE. After a change, reload nats-server (systemctl reload nats-server).',
  options: {
    addSubscriber: { schema: name.optional(), value: 'name', help: 'one more read-only key, subscriber-<name>.nk (one per outside consumer)' },
    rotate: { schema: name.optional(), value: 'key', help: 'a new key for <key> (e.g. gateway, subscriber-acme); the old one stays valid as <key>.nk.old' },
    dropOld: flag('stop admitting rotated-out keys (*.nk.old) once every process uses its new key'),
  },
  args: z.tuple([z.string().min(1)]),
  examples: [
    'kickmon nats-keys /etc/kickmon/nats',
    'kickmon nats-keys /etc/kickmon/nats --add-subscriber acme',
    'kickmon nats-keys /etc/kickmon/nats --rotate gateway   # then restart the gateway, then:',
    'kickmon nats-keys /etc/kickmon/nats --drop-old',
  ],
  run: async (ctx, o, [dir]) => {
    const files = ensureNatsAuth(dir)
    if (o.addSubscriber) {
      try {
        addKey(dir, 'subscriber', o.addSubscriber)
      } catch (e) {
        throw new AppError('CONFLICT', (e as Error).message)
      }
    }
    if (o.rotate) {
      const base = o.rotate
      if (!IDENTITIES.some((id) => base === id || base.startsWith(`${id}-`))) throw usage(`--rotate: there is no identity in "${base}" (one of ${IDENTITIES.join(', ')}, or <identity>-<name>)`)
      try {
        rotateKey(dir, base)
      } catch (e) {
        throw new AppError('NOT_FOUND', (e as Error).message)
      }
    }
    const dropped = o.dropOld ? dropOldKeys(dir) : []
    const keys = keyFiles(dir).map((k) => ({ file: k.file, identity: k.identity as Identity, public_key: k.publicKey }))
    if (ctx.json) ctx.out.data({ auth_conf: files.authConf, keys, dropped })
    else {
      for (const k of keys) ctx.out.line(`${k.identity.padEnd(10)} ${k.public_key}  ${k.file}`)
      if (dropped.length) ctx.out.line(`no longer admitted: ${dropped.join(', ')}`)
      ctx.out.line(`nats-server: include ${files.authConf} (then reload it)`)
    }
    return Exit.OK
  },
})

export const natsKeysGroup: Group = { name: 'nats-keys', summary: natsKeys.summary, commands: [natsKeys], single: true }
