import { rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import type { Subprocess } from 'bun'
import { natsServerBin } from './nats.ts'
import type { NatsAuthFiles } from './nats-auth.ts'
import { freePort, waitForPort } from './ports.ts'

export type ClusterNode = { name: string; port: number; clusterPort: number; monitorPort: number; url: string; storeDir: string; configFile: string }

export type LocalNatsCluster = {
  nodes: ClusterNode[]
  /** Every node's client URL, comma-separated (what NATS_URL takes). */
  url: string
  /** `kill -9` (or another signal) one node; `start` brings it back with the same store. */
  kill: (i: number, signal?: NodeJS.Signals) => void
  start: (i: number) => Promise<void>
  running: (i: number) => boolean
  destroy: () => Promise<void>
}

/** One node's configuration: the same settings docs/scaling.md gives for production, on loopback. */
export function nodeConfig(node: ClusterNode, peers: ClusterNode[], clusterName: string, auth?: NatsAuthFiles): string {
  // With `auth`: clients as in nats-auth.ts, and routes that present the cluster's password.
  const cred = auth ? `route:${auth.routePassword}@` : ''
  const routes = peers.filter((p) => p.name !== node.name).map((p) => `nats-route://${cred}127.0.0.1:${p.clusterPort}`)
  return [
    // nats-server resolves an include relative to the including file, even a path starting with /.
    ...(auth ? [`include ${JSON.stringify(relative(dirname(node.configFile), auth.authConf))}`] : []),
    `server_name: ${node.name}`,
    `listen: 127.0.0.1:${node.port}`,
    `http: 127.0.0.1:${node.monitorPort}`,
    `jetstream { store_dir: "${node.storeDir}", max_memory_store: 64MB, max_file_store: 1GB }`,
    `cluster {`,
    `  name: ${clusterName}`,
    `  listen: 127.0.0.1:${node.clusterPort}`,
    ...(auth ? [`  authorization { user: route, password: ${JSON.stringify(auth.routePassword)} }`] : []),
    `  routes: [${routes.join(', ')}]`,
    `}`,
    '',
  ].join('\n')
}

/**
 * A private NATS cluster (default three nodes) with clustered JetStream on loopback ports,
 * each node with its own store dir and `server_name`. Resolves once JetStream has a meta
 * leader, so R3 streams can be created at once.
 */
export async function startLocalNatsCluster(opts: { nodes?: number; name?: string; auth?: NatsAuthFiles } = {}): Promise<LocalNatsCluster> {
  const bin = natsServerBin()
  if (!bin) throw new Error('nats-server is not installed (apt-get install nats-server)')
  const count = opts.nodes ?? 3
  const clusterName = opts.name ?? 'kickmon'
  const root = await mkdtemp(join(tmpdir(), 'kickmon-nats-cluster-'))
  const nodes: ClusterNode[] = []
  for (let i = 0; i < count; i++) {
    const [port, clusterPort, monitorPort] = [await freePort(), await freePort(), await freePort()]
    const storeDir = join(root, `n${i + 1}`)
    mkdirSync(storeDir, { recursive: true })
    nodes.push({ name: `n${i + 1}`, port, clusterPort, monitorPort, url: `nats://127.0.0.1:${port}`, storeDir, configFile: join(root, `n${i + 1}.conf`) })
  }
  for (const n of nodes) writeFileSync(n.configFile, nodeConfig(n, nodes, clusterName, opts.auth))

  const procs: (Subprocess | null)[] = nodes.map(() => null)
  const start = async (i: number) => {
    if (procs[i]) return
    procs[i] = Bun.spawn([bin, '-c', nodes[i]!.configFile], { stdout: 'ignore', stderr: 'ignore' })
    await waitForPort(nodes[i]!.port)
  }
  await Promise.all(nodes.map((_, i) => start(i)))
  process.once('exit', () => {
    for (const p of procs) p?.kill('SIGKILL')
    rmSync(root, { recursive: true, force: true })
  })
  await waitForJetStream(nodes)
  return {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    kill: (i, signal = 'SIGKILL') => {
      procs[i]?.kill(signal)
      procs[i] = null
    },
    start,
    running: (i) => procs[i] !== null,
    destroy: async () => {
      await Promise.all(
        procs.map(async (p, i) => {
          if (!p) return
          procs[i] = null
          p.kill('SIGTERM')
          await p.exited
        }),
      )
      await rm(root, { recursive: true, force: true })
    },
  }
}

/** Every node reports healthy JetStream (the meta group has a leader and the node is current). */
async function waitForJetStream(nodes: ClusterNode[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    const states = await Promise.all(
      nodes.map(async (n) => {
        try {
          const r = await fetch(`http://127.0.0.1:${n.monitorPort}/jsz`, { signal: AbortSignal.timeout(1000) })
          const j = (await r.json()) as { meta_cluster?: { leader?: string; cluster_size?: number } }
          return j.meta_cluster?.leader && (j.meta_cluster.cluster_size ?? 0) >= nodes.length ? 'ok' : 'no leader'
        } catch (e) {
          return (e as Error).message
        }
      }),
    )
    if (states.every((s) => s === 'ok')) return
    last = states.join(', ')
    await Bun.sleep(200)
  }
  throw new Error(`NATS cluster JetStream not ready after ${timeoutMs} ms (${last})`)
}
