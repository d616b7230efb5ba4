-- Kick reports a hidden viewer count as 0 (a streamer's show-viewer-count toggle, mid-2026). The
-- poller records no sample while a count is hidden, and a session's average must not count that
-- time as zero viewers either: counted_seconds is the time covered by consecutive samples with no
-- hidden stretch between them, and the average is viewer_seconds / counted_seconds. Sessions
-- recorded before this column (0) keep the old average over their whole duration.
alter table stream_sessions add column counted_seconds double precision not null default 0 check (counted_seconds >= 0);
