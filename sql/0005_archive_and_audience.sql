-- Removing a streamer archives it instead of deleting it: monitoring stops, every row of its
-- history (events, sessions, samples, profile) stays, and adding the slug again resumes the
-- same row (same id). Only an explicit purge of an archived streamer deletes history.
alter table streamers add column archived_at timestamptz;
create index streamers_archived on streamers (archived_at) where archived_at is not null;

-- History must never go with a stray delete of the streamer row: the purge deletes the
-- children itself, in one transaction, and anything else that tries is refused.
alter table status_events drop constraint status_events_streamer_id_fkey,
  add constraint status_events_streamer_id_fkey foreign key (streamer_id) references streamers (id) on delete restrict;
alter table stream_sessions drop constraint stream_sessions_streamer_id_fkey,
  add constraint stream_sessions_streamer_id_fkey foreign key (streamer_id) references streamers (id) on delete restrict;

-- Audience figures, each with when a source last gave it (null: no source ever had it).
-- followers_count comes from Kick's website (the browser fallback); subscriber counts from
-- the public API's /channels (active includes gifted; gifted is the gifted share).
alter table streamers add column followers_at timestamptz,
  add column active_subscribers_count integer check (active_subscribers_count >= 0),
  add column active_gifted_subscribers_count integer check (active_gifted_subscribers_count >= 0),
  add column subscribers_at timestamptz;
