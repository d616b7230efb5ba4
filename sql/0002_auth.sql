-- auth: failed-login log for throttling. Kept in PostgreSQL so throttling survives restarts
-- and holds across several auth instances. One row per failed attempt; rows older than an
-- hour no longer count and are deleted by auth's housekeeping.
create table login_failures (
  id      bigint generated always as identity primary key,
  account text not null check (length(account) between 1 and 256),  -- lower(username) as typed, known or not
  ip      text not null default '' check (length(ip) <= 64),          -- '' when the caller gave none
  at      timestamptz not null default now()
);
create index login_failures_account_at on login_failures (account, at);
create index login_failures_ip_at on login_failures (ip, at) where ip <> '';
create index login_failures_at on login_failures (at);

-- "Has this account signed in from this address lately?" (trusted addresses skip the
-- account-wide cap, so an attacker elsewhere cannot lock the owner out).
create index user_sessions_user_ip on user_sessions (user_id, ip, created_at);
