import type { StreamerProfile } from '@kickmon/shared/contracts/poller'
import type { PollerClient } from '../clients/poller-client.ts'

const TTL_MS = 5 * 60_000
const FAIL_TTL_MS = 30_000

/** Streamer profiles (banner, bio, followers) from the poller, cached: they change rarely. */
export class ProfileCache {
  private byslug = new Map<string, { p: StreamerProfile | null; until: number }>()

  constructor(private readonly poller: PollerClient) {}

  async get(slug: string, requestId?: string): Promise<StreamerProfile | null> {
    const hit = this.byslug.get(slug)
    if (hit && hit.until > Date.now()) return hit.p
    let p: StreamerProfile | null = null
    try {
      p = await this.poller.call('profile', { slug }, { requestId, timeout: 3000 })
    } catch {
      p = null
    }
    this.byslug.set(slug, { p, until: Date.now() + (p ? TTL_MS : FAIL_TTL_MS) })
    if (this.byslug.size > 20_000) this.byslug.delete(this.byslug.keys().next().value!)
    return p
  }
}
