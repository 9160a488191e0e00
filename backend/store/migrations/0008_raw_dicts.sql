-- Compression dictionaries for raw records, one per format: the first
-- 64 KiB of the case's records of that format. A zstd frame names its
-- dictionary as 65536 + id.
CREATE TABLE raw_dicts (
	id INTEGER PRIMARY KEY,
	format TEXT NOT NULL UNIQUE,
	content BLOB NOT NULL
);
