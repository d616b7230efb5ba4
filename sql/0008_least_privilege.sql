-- Services log in as roles of their own with rights on exactly their tables (kickmon db roles),
-- never as the owner. The poller's partition upkeep creates and drops tables, which only the
-- owner of viewer_samples may do: these two functions run as their owner (the migrations' role)
-- with a fixed search_path, and only roles granted EXECUTE may call them.
alter function ensure_viewer_sample_partitions(date, integer) security definer set search_path = public, pg_temp;
alter function drop_viewer_samples_before(date) security definer set search_path = public, pg_temp;
revoke execute on function ensure_viewer_sample_partitions(date, integer) from public;
revoke execute on function drop_viewer_samples_before(date) from public;
