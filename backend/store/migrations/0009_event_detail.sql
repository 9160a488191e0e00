-- An event's detail is everything only reading the event itself needs: its
-- format, category, action, outcome, actor, IP, user agent, session,
-- request, message, targets and changes, as one blob (store/detail.go),
-- compressed like raw records against a dictionary per format
-- (detail_dicts; a frame names its dictionary as 65536 + id). Rows written
-- from now on leave those columns empty; older rows keep them and no detail.
-- Queries use the term ids (k_*) and the time, which stay columns.
ALTER TABLE events ADD COLUMN detail BLOB NOT NULL DEFAULT X'';
ALTER TABLE events ADD COLUMN detail_zstd INTEGER NOT NULL DEFAULT 0;
CREATE TABLE detail_dicts (
	id INTEGER PRIMARY KEY,
	format TEXT NOT NULL UNIQUE,
	content BLOB NOT NULL
);
