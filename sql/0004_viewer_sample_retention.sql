-- Viewer samples are kept for a number of days (VIEWER_SAMPLES_KEEP_DAYS): at 10,000 streamers
-- they grow by gigabytes a day. Whole daily partitions are dropped (instant, no vacuum debt);
-- stragglers in the default partition are deleted. Stream sessions keep their aggregates
-- (peak, average, hours watched), so past streams stay complete after their samples go.
create function drop_viewer_samples_before(keep_from date) returns integer
language plpgsql as $$
declare r record; dropped integer := 0;
begin
  for r in
    select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'viewer_samples'::regclass
      and c.relname ~ '^viewer_samples_[0-9]{8}$'
      and to_date(substr(c.relname, 16), 'YYYYMMDD') < keep_from
  loop
    execute format('drop table %I', r.relname);
    dropped := dropped + 1;
  end loop;
  delete from viewer_samples_default where at < keep_from::timestamptz;
  return dropped;
end $$;
