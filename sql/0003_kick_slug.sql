-- Kick lets a broadcaster change their name, and with it the channel's slug; the user id stays.
-- A streamer stays monitored under the slug it was added with (assignments, the KV, NATS subjects
-- and URLs are keyed by it); kick_slug is the channel's current slug on Kick when it differs.
alter table streamers add column kick_slug text;
