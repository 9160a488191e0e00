-- The events' unique index on id becomes an index of its own name,
-- events_id, where it was the UNIQUE of the column (an automatic index no
-- statement can drop): a case's first import loads its events without it
-- and builds it at its end (store/bulk.go), as it does the term indexes.
-- Grown row by row, each batch of 1,000 random ids dirtied ~1,000 of its
-- pages, written to the log at every commit.
-- SQLite cannot drop a column's UNIQUE, so the table is made again, with
-- its columns in the same order. Only a case with no events yet takes this
-- migration (db.go: onlyWhenEmpty); one holding events keeps the automatic
-- index, which rejects a duplicate id alike.
CREATE TABLE events_0014 (
    seq           INTEGER PRIMARY KEY,   -- insertion order: the search index's watermark
    id            TEXT    NOT NULL,
    time_ns       INTEGER NOT NULL,
    time_no_zone  INTEGER NOT NULL DEFAULT 0,
    format        TEXT    NOT NULL,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    category      TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    outcome       TEXT    NOT NULL,
    actor_id      TEXT    NOT NULL DEFAULT '',
    actor_name    TEXT    NOT NULL DEFAULT '',
    actor_email   TEXT    NOT NULL DEFAULT '',
    actor_type    TEXT    NOT NULL DEFAULT '',
    targets       TEXT    NOT NULL DEFAULT '[]',
    ip            TEXT    NOT NULL DEFAULT '',
    user_agent    TEXT    NOT NULL DEFAULT '',
    session       TEXT    NOT NULL DEFAULT '',
    request       TEXT    NOT NULL DEFAULT '',
    message       TEXT    NOT NULL DEFAULT '',
    changes       TEXT    NOT NULL DEFAULT '[]',
    raw           BLOB    NOT NULL,
    raw_sha256    TEXT    NOT NULL DEFAULT '',
    k_category    INTEGER NOT NULL DEFAULT 0,
    k_action      INTEGER NOT NULL DEFAULT 0,
    k_outcome     INTEGER NOT NULL DEFAULT 0,
    k_actor_label INTEGER NOT NULL DEFAULT 0,
    k_actor_email INTEGER NOT NULL DEFAULT 0,
    k_ip          INTEGER NOT NULL DEFAULT 0,
    k_format      INTEGER NOT NULL DEFAULT 0,
    k_source      INTEGER NOT NULL DEFAULT 0,
    raw_zstd      INTEGER NOT NULL DEFAULT 0,
    detail        BLOB    NOT NULL DEFAULT X'',
    detail_zstd   INTEGER NOT NULL DEFAULT 0
);
DROP TABLE events;
ALTER TABLE events_0014 RENAME TO events;
CREATE UNIQUE INDEX events_id ON events(id);
CREATE INDEX events_source ON events(source_id);
CREATE INDEX events_time ON events(time_ns);
CREATE INDEX events_k_category    ON events(k_category, time_ns);
CREATE INDEX events_k_action      ON events(k_action, time_ns);
CREATE INDEX events_k_outcome     ON events(k_outcome, time_ns);
CREATE INDEX events_k_actor_label ON events(k_actor_label, time_ns);
CREATE INDEX events_k_actor_email ON events(k_actor_email, time_ns);
CREATE INDEX events_k_ip          ON events(k_ip, time_ns);
CREATE INDEX events_k_format      ON events(k_format, time_ns);
CREATE INDEX events_k_source      ON events(k_source, time_ns);
