-- The notifier's tables (docs/notifications.md). Only services/notifier reads or writes them;
-- the gateway and the CLI reach them over NATS (notifier.<noun>.<verb>).

-- Like every service, the notifier never reads another's tables: owner_id names a user of
-- auth's without a foreign key; a deleted user's channels are removed when auth announces it.

-- Where a message goes. `config` holds the non-secret part of the type's settings; `secret`
-- the sealed JSON of the secret part (AES-256-GCM under NOTIFY_ENCRYPTION_KEY, which only the
-- notifier holds). owner_id null: an installation-wide channel created by an operator.
create table notify_channels (
  id bigserial primary key,
  owner_id integer,
  type text not null check (type in ('discord', 'telegram', 'ntfy', 'slack', 'webhook', 'email')),
  name text not null check (length(name) between 1 and 100),
  config jsonb not null,
  secret text not null,
  -- A permanent provider refusal (a deleted webhook, a blocked bot): nothing is sent or retried
  -- until the owner changes the configuration.
  broken_at timestamptz,
  broken_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index notify_channels_owner on notify_channels (owner_id);

-- What is sent. streamers null = every streamer the owner can see (at the time of each event).
create table notify_rules (
  id bigserial primary key,
  owner_id integer,
  channel_id bigint not null references notify_channels(id) on delete cascade,
  streamers text[],
  events text[] not null check (events <@ array['online', 'offline', 'title', 'category'] and cardinality(events) > 0),
  min_viewers integer check (min_viewers >= 0),
  cooldown_s integer not null default 600 check (cooldown_s between 0 and 86400),
  template text,
  created_at timestamptz not null default now()
);
create index notify_rules_channel on notify_rules (channel_id);

-- The ledger: one row per (rule, stream event), so redelivery, restarts and several notifier
-- instances never send twice. A row is claimed (`sending`, claimed_by, claimed_until) before
-- the request goes out, and the claim renewed just before it; a claim that outlives a killed
-- instance is taken over after it expires.
create table notify_deliveries (
  id bigserial primary key,
  rule_id bigint not null references notify_rules(id) on delete cascade,
  channel_id bigint not null references notify_channels(id) on delete cascade,
  event_id text not null,
  event_type text not null,
  slug text not null,
  stream_key text not null,
  event_at timestamptz not null,
  event jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed', 'skipped')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  claimed_until timestamptz,
  claimed_by text,
  provider_status integer,
  provider_answer text,
  error text,
  note text,
  recorded_at timestamptz not null default now(),
  first_sent_at timestamptz,
  done_at timestamptz,
  unique (rule_id, event_id)
);
create index notify_deliveries_due on notify_deliveries (next_attempt_at) where status in ('pending', 'sending');
create index notify_deliveries_channel on notify_deliveries (channel_id, id desc);
create index notify_deliveries_rule on notify_deliveries (rule_id, id desc);

-- The provider's message for one rule and one stream, edited in place while the stream runs
-- (Discord, Telegram, ntfy) and turned into the summary at its end.
create table notify_messages (
  rule_id bigint not null references notify_rules(id) on delete cascade,
  slug text not null,
  stream_key text not null,
  message_ref text not null,
  last_edit_at timestamptz not null default now(),
  ended boolean not null default false,
  primary key (rule_id, slug, stream_key)
);

-- Per rule and streamer: when the last stream that alerted ended, for the flap cooldown.
create table notify_cooldowns (
  rule_id bigint not null references notify_rules(id) on delete cascade,
  slug text not null,
  last_online_at timestamptz,
  last_offline_at timestamptz,
  suppressed_stream text,
  primary key (rule_id, slug)
);
