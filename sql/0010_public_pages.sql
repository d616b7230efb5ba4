-- Public status pages and share links (issue 16). Owned by auth: it owns users and their
-- assignments, so a creator's deletion, disabling or downgrade can stop their links at once.

create table public_pages (
  id             integer generated always as identity primary key,
  slug           text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  title          text not null check (length(title) between 1 and 100),
  description    text check (length(description) <= 500),
  -- Kick slugs, in the order shown; the poller owns the streamers, so they are named, not referenced.
  streamers      text[] not null check (cardinality(streamers) between 1 and 100),
  show_viewers   boolean not null,
  show_history   boolean not null,
  -- CSP frame-ancestors of /p/<slug>/embed: '*' or origins; empty: nobody may frame it.
  embed_origins  text[] not null default '{}',
  created_by     integer references users (id) on delete set null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now()
);

-- A link's token (a JWT the gateway signs) names its row; the row decides whether it still works.
create table share_links (
  id            uuid primary key,
  user_id       integer not null references users (id) on delete cascade,
  -- The creator's role when the link was made: a later downgrade stops the link.
  creator_role  text not null check (creator_role in ('admin', 'user', 'viewer')),
  target        jsonb not null,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz not null,
  revoked_at    timestamptz
);
create index share_links_user on share_links (user_id, created_at desc);
