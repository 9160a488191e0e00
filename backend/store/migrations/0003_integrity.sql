-- Evidence integrity: each event keeps the SHA-256 of its raw record, each
-- source a digest over its events' hashes, and the case an append-only,
-- hash-chained log of what was done to it.
ALTER TABLE events ADD COLUMN raw_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN digest TEXT NOT NULL DEFAULT '';
CREATE TABLE activity (
    seq    INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,          -- unix nanoseconds
    kind   TEXT    NOT NULL,          -- case.created, import, report, export, …
    detail TEXT    NOT NULL,          -- JSON
    prev   TEXT    NOT NULL,          -- hash of the entry before ('' for the first)
    hash   TEXT    NOT NULL           -- sha256(prev | at | kind | detail)
);
