-- Events whose tags changed while the search index could not take their new
-- document (another process held it, or it was being rebuilt). The row is
-- written in the tag's own transaction; whichever process next holds the
-- index writes the event's document again and removes the row, unless n
-- (one more at each change) moved meanwhile. Kept in the database, not in
-- memory, so that a process ending first loses nothing.
CREATE TABLE index_pending (
	event_id TEXT PRIMARY KEY,
	n INTEGER NOT NULL DEFAULT 1
);
