import type { NotifierDeps } from './deps.ts'

const KEEP_DAYS = 30
const EVERY_MS = 60_000

/**
 * Every minute: drops deliveries and ended live messages older than 30 days, and counts the
 * deliveries still to send for the metrics. Returns its stop.
 */
export function startHousekeeping(d: Pick<NotifierDeps, 'sql' | 'metrics'>): () => void {
  const timer = setInterval(() => {
    void d.sql`delete from notify_deliveries where done_at < now() - make_interval(days => ${KEEP_DAYS})`.catch(() => {})
    void d.sql`delete from notify_messages where ended and last_edit_at < now() - make_interval(days => ${KEEP_DAYS})`.catch(() => {})
    void d.sql<{ n: number }[]>`select count(*)::int as n from notify_deliveries where status in ('pending', 'sending') and next_attempt_at < 'infinity'`
      .then(([r]) => d.metrics.pending.set(r?.n ?? 0)).catch(() => {})
  }, EVERY_MS)
  return () => clearInterval(timer)
}
