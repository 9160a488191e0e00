-- Raw records are stored zstd-compressed where that makes them smaller:
-- raw_zstd says which rows are (rows written before this are plain).
ALTER TABLE events ADD COLUMN raw_zstd INTEGER NOT NULL DEFAULT 0;
