import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import ts from 'typescript'
import * as authContract from '../../shared/src/contracts/auth.ts'
import * as authInternalContract from '../../shared/src/contracts/auth-internal.ts'
import * as names from '../../shared/src/contracts/names.ts'
import * as notifierContract from '../../shared/src/contracts/notifier.ts'
import * as pollerContract from '../../shared/src/contracts/poller.ts'
import * as publicContract from '../../shared/src/contracts/public.ts'

// Every NATS name (subject, stream, KV bucket, durable consumer, queue group) is spelled once,
// in shared/src/contracts/; everything else imports it. This guard reads every string literal
// (comments are not literals) of the code that runs: services/*/src, cli/, shared/src,
// scripts/, deploy/ and bench/ (the benchmarks drive the real system; a renamed subject would
// break them silently, as nothing runs them in the test suite). Left out: test files and
// tests/ (they may spell the wire names on purpose, to pin the contract from outside), and
// examples/ (a program for outsiders, written with the official NATS client alone).

const ROOT = resolve(import.meta.dir, '../..')
const SCANNED = /^(services\/[^/]+\/src|cli|shared\/src|scripts|deploy|bench)\/.+\.ts$/
const NOT_SCANNED = /^shared\/src\/contracts\/|\.test\.ts$/

/** Text with a space is prose (a log line, a label), never a name. */
const PROSE = /\s/
/** `<root>.<noun>.…`, a root and a wildcard (`poller.>`), or the bare root (`auth.`): 2 tokens alone are file and host names (`auth.conf`, `kick.com`). */
const SUBJECT = /^(kick|kickmon|auth|poller|notifier)\.([\w-]+\.|[*>]|$)/
/** NATS' own subject spaces: service discovery, the JetStream and KV APIs; `KV_<bucket>` streams. */
const SYSTEM = /^(\$(SRV|JS|KV)(\.|$)|KV_)/
/** Option names whose value is a NATS name whatever it looks like (`durable_name: 'notifier'`). */
const NAME_OPTIONS = new Set(['durable_name', 'durable', 'queue', 'deliver_group', 'filter_subject', 'filter_subjects', 'stream', 'bucket'])

/** Streams, buckets and durable consumers the contracts define; each also as a prefix (`KICK_EVENTS.…`). */
const KNOWN_NAMES = [names.EVENTS_STREAM, names.WEBHOOKS_STREAM, names.STATUS_BUCKET, pollerContract.MEMBERS_BUCKET, pollerContract.RECORDER_DURABLE]
/** Names made from a prefix (`poller-webhooks-<instance id>`). */
const KNOWN_PREFIXES = [pollerContract.webhookDurable('')]

/** Every subject and name the contracts define (string exports, and one level into their maps and `*Api` objects). */
function contractValues(): Set<string> {
  const out = new Set<string>()
  for (const mod of [names, pollerContract, authContract, authInternalContract, publicContract, notifierContract])
    for (const v of Object.values(mod)) {
      if (typeof v === 'string') out.add(v)
      else if (v && typeof v === 'object' && !('_zod' in v))
        for (const x of Object.values(v)) {
          if (typeof x === 'string') out.add(x)
          else if (x && typeof x === 'object' && typeof (x as { subject?: unknown }).subject === 'string') out.add((x as { subject: string }).subject)
        }
    }
  return out
}
const CONTRACT_VALUES = contractValues()

type Allowed = { file: string; allows: (text: string) => boolean; reason: string }
const ALLOWED: Allowed[] = [
  {
    file: 'deploy/nats/permissions.ts',
    // Patterns with a wildcard, and JetStream's API subjects. A pattern a contract defines
    // (`kick.status.>` is subjects.statusAll) is imported like any other name.
    allows: (t) => (/[*>]/.test(t) || /^\$(JS|KV)\./.test(t)) && !CONTRACT_VALUES.has(t),
    reason: "nats-server permission patterns (subject spaces such as 'auth.users.>', JetStream API subjects): what an identity may touch, not a name any code publishes, subscribes or requests on",
  },
  {
    file: 'bench/nats-auth.ts',
    allows: (t) => t === 'poller.bench.echo',
    reason: 'a made-up subject inside poller.> that only this benchmark uses, to time permission checks on a subject the gateway may request and the poller may answer',
  },
  {
    file: 'bench/lib/fuzz/webhook-fuzz.ts',
    allows: (t) => t === 'kick.events.>',
    reason: 'fuzz input: a wildcard subject sent as the Kick-Event-Type header, to check the gateway refuses it',
  },
]

type Finding = { file: string; line: number; text: string; why: string }

/** The NATS names spelled as string literals in one source file. */
function namesIn(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const found: Finding[] = []
  const add = (node: ts.Node, text: string, why: string) =>
    found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text, why })
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const text = node.text
      const option = ts.isPropertyAssignment(node.parent) && node.parent.initializer === node ? node.parent.name.getText(sf) : null
      if (ts.isImportDeclaration(node.parent) || ts.isExportDeclaration(node.parent)) {
        // a module path
      } else if (option && NAME_OPTIONS.has(option.replace(/['"]/g, ''))) add(node, text, `the value of \`${option}\` is a NATS name`)
      else if (PROSE.test(text)) {
        // prose
      } else if (SUBJECT.test(text)) add(node, text, 'a NATS subject')
      else if (SYSTEM.test(text)) add(node, text, "a subject or stream in NATS' own spaces ($SRV, $JS, $KV, KV_)")
      else if (KNOWN_NAMES.some((n) => text === n || text.startsWith(`${n}.`)) || KNOWN_PREFIXES.some((p) => text.startsWith(p)))
        add(node, text, 'a stream, bucket or durable consumer name')
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return found
}

function scannedFiles(): string[] {
  const out = Bun.spawnSync(['git', 'ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
  return out.stdout
    .toString()
    .split('\n')
    .filter((f) => SCANNED.test(f) && !NOT_SCANNED.test(f) && !f.includes('/node_modules/'))
}

describe('NATS names are spelled only in shared/src/contracts/', () => {
  const findings = scannedFiles().flatMap((f) => namesIn(f, readFileSync(join(ROOT, f), 'utf8')))
  const allowedBy = (x: Finding) => ALLOWED.find((a) => a.file === x.file && a.allows(x.text))

  test('no NATS name outside the contracts', () => {
    const bad = findings.filter((x) => !allowedBy(x)).map((x) => `${x.file}:${x.line}: '${x.text}' (${x.why})`)
    expect(
      bad,
      `NATS names spelled outside shared/src/contracts/. Define each in its owner's contract file (names.ts, poller.ts, auth.ts, …) and import it; ` +
        `a literal that is not a name we use may be allow-listed in tests/unit/nats-names.test.ts with its reason:\n  ${bad.join('\n  ')}\n`,
    ).toEqual([])
  })

  test('every allow-list entry is still needed', () => {
    const unused = ALLOWED.filter((a) => !findings.some((x) => allowedBy(x) === a)).map((a) => a.file)
    expect(unused, 'allow-list entries that match nothing any more: remove them').toEqual([])
  })

  test('the rules catch every kind of name, and leave prose, hosts and files alone', () => {
    const src = [
      "nc.subscribe('kick.status.>')",
      'nc.publish(`kick.events.${slug}.online`)',
      "const p = 'kick.webhooks.'",
      "nc.request('poller.streamers.add', '{}')",
      "const x = 'kickmon.poller.sync'",
      "const s = 'auth.'",
      "nc.publish('$SRV.INFO', '')",
      'const k = `KV_${bucket}`',
      "kvm.open('kick-status')",
      "jsm.streams.info('KICK_EVENTS')",
      "const d = 'poller-recorder'",
      'const w = `poller-webhooks-${id}`',
      "const c = { durable_name: 'notifier', ack_policy: 'explicit' }",
      "nc.subscribe(x, { queue: 'workers' })",
      // not names:
      "log.info('kick.status publish → 3 sockets')",
      "const host = 'kick.com'",
      "const conf = join(dir, 'auth.conf')",
      "const unit = 'kickmon.target'",
      "const env = 'KICK_CLIENT_SECRET'",
      "import { x } from './poller.ts'",
    ].join('\n')
    expect(namesIn('sample.ts', src).map((x) => x.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
  })
})
