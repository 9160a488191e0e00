-- Newest-first reads go by (time, seq) since search index 10 orders ties by
-- seq: the time index with its rowid gives that order, so the index of
-- (time, id) that 0005 made (~33 bytes an event more) goes.
DROP INDEX events_time_id;
CREATE INDEX events_time ON events(time_ns);
