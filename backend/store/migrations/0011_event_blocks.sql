-- Raw records and details are stored in blocks of consecutive events (up to
-- 16; store/blocks.go): a row of raw_blocks holds one zstd frame of a
-- block's records, a row of detail_blocks one of its details, each against
-- its format's dictionary. A frame costs its dictionary's set-up whatever
-- its size, and records next to each other share more than a dictionary
-- does: the demo's records take 101 bytes an event so, against 173 one by
-- one. An event in a block keeps its raw and detail columns empty and marks
-- them with raw_zstd = detail_zstd = 2; its block is the one with the
-- greatest first_seq not above its seq. Rows written before keep their own
-- blobs. Two tables rather than one row of both: a row of both is ~3 KiB
-- and a 4 KiB page held one, a quarter of it left empty.
CREATE TABLE raw_blocks (
	first_seq INTEGER PRIMARY KEY,
	n INTEGER NOT NULL,
	content BLOB NOT NULL,
	zstd INTEGER NOT NULL
);
CREATE TABLE detail_blocks (
	first_seq INTEGER PRIMARY KEY,
	n INTEGER NOT NULL,
	content BLOB NOT NULL,
	zstd INTEGER NOT NULL
);
