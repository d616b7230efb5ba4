-- Kick Streamer Monitor: first schema.
-- The poller owns streamers, events, samples and sessions; auth owns users, sessions,
-- assignments, api keys, configuration and the audit log. Services never read each
-- other's tables, so assignments refer to streamers by slug, not by foreign key.

-- ---------------------------------------------------------------- poller
create table streamers (
  id                  integer generated always as identity primary key,
  slug                text not null unique check (slug ~ '^[a-z0-9_-]{1,25}$'),
  kick_user_id        bigint unique,
  username            text not null,
  live                boolean not null default false,
  viewers             integer not null default 0 check (viewers >= 0),
  title               text,
  category_id         integer,
  category_name       text,
  started_at          timestamptz,
  profile_picture_url text,
  banner_url          text,
  bio                 text,
  followers_count     integer,
  source              text check (source in ('api', 'webhook', 'browser')),
  checked_at          timestamptz,
  changed_at          timestamptz,
  resolved_at         timestamptz,
  metadata_at         timestamptz,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now()
);
create index streamers_live on streamers (live) where live;

-- One row per state change; id is deterministic (slug + type + stream start or change),
-- so a replayed JetStream message never records twice.
create table status_events (
  id          text primary key,
  streamer_id integer not null references streamers (id) on delete cascade,
  type        text not null check (type in ('online', 'offline', 'title', 'category')),
  at          timestamptz not null,
  status      jsonb not null,
  previous    jsonb,
  recorded_at timestamptz not null default now()
);
create index status_events_streamer_at on status_events (streamer_id, at desc);

-- Viewer samples: at 10,000 streamers and one reading per poll this is the big table
-- (tens of millions of rows a day at worst), so it is partitioned by day; old days are
-- dropped as whole partitions and each day's index stays small.
create table viewer_samples (
  streamer_id integer not null,
  at          timestamptz not null,
  viewers     integer not null check (viewers >= 0),
  source      text not null,
  primary key (streamer_id, at)
) partition by range (at);
create table viewer_samples_default partition of viewer_samples default;

-- Creates daily partitions from `from_day` for `days` days (idempotent); the poller
-- calls it at start and daily.
create function ensure_viewer_sample_partitions(from_day date, days integer) returns void
language plpgsql as $$
declare d date; name text;
begin
  for i in 0 .. days - 1 loop
    d := from_day + i;
    name := 'viewer_samples_' || to_char(d, 'YYYYMMDD');
    if to_regclass(name) is null then
      execute format('create table %I partition of viewer_samples for values from (%L) to (%L)',
                     name, d::timestamptz, (d + 1)::timestamptz);
    end if;
  end loop;
end $$;

-- A stream session per broadcast, keyed by its start time (the same key the online
-- event uses). Aggregates are kept incrementally: viewer_seconds is the time-weighted
-- integral of viewers, so average = viewer_seconds / live seconds, hours watched = viewer_seconds / 3600.
create table stream_sessions (
  id              integer generated always as identity primary key,
  streamer_id     integer not null references streamers (id) on delete cascade,
  started_at      timestamptz not null,
  ended_at        timestamptz,
  title           text,
  category_name   text,
  peak_viewers    integer not null default 0,
  peak_at         timestamptz,
  viewer_seconds  double precision not null default 0,
  last_sample_at  timestamptz,
  last_viewers    integer,
  unique (streamer_id, started_at)
);
create index stream_sessions_streamer on stream_sessions (streamer_id, started_at desc);

-- ---------------------------------------------------------------- auth
create table users (
  id                  integer generated always as identity primary key,
  username            text not null check (length(username) between 1 and 64),
  display_name        text,
  password_hash       text not null,
  role                text not null check (role in ('admin', 'user', 'viewer')),
  disabled            boolean not null default false,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  password_changed_at timestamptz not null default now()
);
create unique index users_username_lower on users (lower(username));

-- The session id itself is never stored: only its SHA-256.
create table user_sessions (
  id_hash      text primary key,
  user_id      integer not null references users (id) on delete cascade,
  created_at   timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at   timestamptz not null,
  ip           text,
  user_agent   text,
  revoked_at   timestamptz
);
create index user_sessions_user on user_sessions (user_id) where revoked_at is null;

create table user_streamers (
  user_id    integer not null references users (id) on delete cascade,
  slug       text not null check (slug ~ '^[a-z0-9_-]{1,25}$'),
  created_at timestamptz not null default now(),
  primary key (user_id, slug)
);
create index user_streamers_slug on user_streamers (slug);

create table api_keys (
  id           integer generated always as identity primary key,
  user_id      integer not null references users (id) on delete cascade,
  name         text not null,
  prefix       text not null,
  key_hash     text not null unique,
  scope        text not null check (scope in ('read', 'write')),
  created_at   timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

create table configuration (
  key        text primary key check (key ~ '^[A-Za-z0-9_.-]{1,128}$'),
  value      text not null,
  encrypted  boolean not null default false,
  updated_at timestamptz not null default now(),
  updated_by integer references users (id) on delete set null
);

create table audit_log (
  id         bigint generated always as identity primary key,
  at         timestamptz not null default now(),
  actor_id   integer,
  actor_name text,
  action     text not null,
  target     text,
  ip         text,
  details    jsonb
);
create index audit_log_at on audit_log (at desc);
