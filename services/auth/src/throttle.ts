import { AppError } from '@kickmon/shared/errors'
import type { Db } from './deps.ts'

// Login throttling (ASVS 5.0: ≤ 100 failed attempts per hour per account, without letting
// anyone lock the owner out). Failures are logged in PostgreSQL (`login_failures`, 0002), so
// the state survives restarts and is shared by every auth instance. Three limits:
//
// 1. per (account, ip): the first FREE_FAILURES failures cost nothing; after that each
//    attempt must wait 2^(n−FREE_FAILURES+1) s after the last failure, capped at MAX_DELAY_S.
//    A success from that address clears its failures.
// 2. per account, across addresses: ACCOUNT_CAP failures in the last hour stop further
//    attempts from addresses the account has not signed in from in TRUST_DAYS days; the
//    owner's usual addresses keep only their own (1) limit, so a flood cannot lock them out.
// 3. per address, across accounts: IP_CAP failures in the last hour (credential stuffing).
//
// Nothing here depends on whether the account exists, so the answers never tell.

export const FREE_FAILURES = 5
export const MAX_DELAY_S = 900
export const ACCOUNT_CAP = 100
export const IP_CAP = 300
export const TRUST_DAYS = 30

export const accountKey = (username: string) => username.trim().toLowerCase().slice(0, 256)

const limited = (retryAfter: number) => {
  const s = Math.max(1, Math.ceil(retryAfter))
  const human = s < 90 ? `${s} seconds` : `${Math.ceil(s / 60)} minutes`
  return new AppError('RATE_LIMITED', `too many failed sign-in attempts; try again in ${human}`, { retry_after_s: s })
}

/** Throws RATE_LIMITED (with `retry_after_s`) when this attempt must not be checked now. */
export async function checkThrottle(sql: Db, account: string, ip: string): Promise<void> {
  const [r] = await sql<{ pair_n: number; pair_wait: number | null; acct_n: number; acct_wait: number | null; ip_n: number; ip_wait: number | null; trusted: boolean }[]>`
    with pair as (
      select count(*)::int as n, extract(epoch from max(at) - now()) as last_ago
      from login_failures where account = ${account} and ip = ${ip} and at > now() - interval '1 hour'
    ), acct as (
      select count(*)::int as n,
             (select extract(epoch from at + interval '1 hour' - now()) from login_failures
              where account = ${account} and at > now() - interval '1 hour'
              order by at desc offset ${ACCOUNT_CAP - 1} limit 1) as wait
      from login_failures where account = ${account} and at > now() - interval '1 hour'
    ), byip as (
      select count(*)::int as n,
             (select extract(epoch from at + interval '1 hour' - now()) from login_failures
              where ip = ${ip} and ip <> '' and at > now() - interval '1 hour'
              order by at desc offset ${IP_CAP - 1} limit 1) as wait
      from login_failures where ip = ${ip} and ip <> '' and at > now() - interval '1 hour'
    )
    select pair.n as pair_n,
           case when pair.n >= ${FREE_FAILURES}
                then least(${MAX_DELAY_S}, power(2, pair.n - ${FREE_FAILURES} + 1)) + pair.last_ago end as pair_wait,
           acct.n as acct_n, acct.wait as acct_wait, byip.n as ip_n, byip.wait as ip_wait,
           ${ip} <> '' and exists (
             select 1 from user_sessions s join users u on u.id = s.user_id
             where lower(u.username) = ${account} and s.ip = ${ip} and s.created_at > now() - make_interval(days => ${TRUST_DAYS})
           ) as trusted
    from pair, acct, byip`
  if (!r) return
  if (r.pair_wait !== null && Number(r.pair_wait) > 0) throw limited(Number(r.pair_wait))
  if (r.acct_n >= ACCOUNT_CAP && !r.trusted) throw limited(Number(r.acct_wait ?? 60))
  if (r.ip_n >= IP_CAP) throw limited(Number(r.ip_wait ?? 60))
}

export async function recordFailure(sql: Db, account: string, ip: string): Promise<void> {
  await sql`insert into login_failures (account, ip) values (${account}, ${ip})`
}

export async function clearFailures(sql: Db, account: string, ip: string): Promise<void> {
  await sql`delete from login_failures where account = ${account} and ip = ${ip}`
}

export async function pruneFailures(sql: Db): Promise<number> {
  const r = await sql`delete from login_failures where at < now() - interval '1 hour'`
  return r.count
}
