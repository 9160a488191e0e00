-- Raw records and details are stored in blocks of consecutive events (up to
-- 16; store/blocks.go): one zstd frame holds a block's records, another its
-- details, each against its format's dictionary. A frame costs its
-- dictionary's set-up whatever its size, and records next to each other
-- share more than a dictionary does: the demo's records take 96 bytes an
-- event so, against 173 one by one. An event in a block keeps its raw and
-- detail columns empty and marks them with raw_zstd = detail_zstd = 2; its
-- block is the one with the greatest first_seq not above its seq. Rows
-- written before keep their own blobs.
CREATE TABLE event_blocks (
	first_seq INTEGER PRIMARY KEY,
	n INTEGER NOT NULL,
	detail BLOB NOT NULL,
	detail_zstd INTEGER NOT NULL,
	raw BLOB NOT NULL,
	raw_zstd INTEGER NOT NULL
);
