-- The case database: sources (provenance) and events (normalized + raw).
CREATE TABLE sources (
    id               INTEGER PRIMARY KEY,
    parent_id        INTEGER REFERENCES sources(id),
    path             TEXT    NOT NULL,
    member           TEXT    NOT NULL DEFAULT '',
    size             INTEGER NOT NULL DEFAULT 0,
    sha256           TEXT    NOT NULL DEFAULT '',
    format           TEXT    NOT NULL DEFAULT '',
    importer_version TEXT    NOT NULL DEFAULT '',
    imported_at      INTEGER NOT NULL,              -- unix nanoseconds
    events           INTEGER NOT NULL DEFAULT 0,
    duplicates       INTEGER NOT NULL DEFAULT 0,
    rejected         INTEGER NOT NULL DEFAULT 0,
    fallback         INTEGER NOT NULL DEFAULT 0,
    errors           TEXT    NOT NULL DEFAULT '[]', -- JSON [{line, message}], the first 1000
    failed           TEXT    NOT NULL DEFAULT '',
    complete         INTEGER NOT NULL DEFAULT 0     -- 0 while (or if killed while) importing
);

CREATE TABLE events (
    seq          INTEGER PRIMARY KEY,   -- insertion order: the search index's watermark
    id           TEXT    NOT NULL UNIQUE,
    time_ns      INTEGER NOT NULL,
    time_no_zone INTEGER NOT NULL DEFAULT 0,
    format       TEXT    NOT NULL,
    source_id    INTEGER NOT NULL REFERENCES sources(id),
    category     TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    outcome      TEXT    NOT NULL,
    actor_id     TEXT    NOT NULL DEFAULT '',
    actor_name   TEXT    NOT NULL DEFAULT '',
    actor_email  TEXT    NOT NULL DEFAULT '',
    actor_type   TEXT    NOT NULL DEFAULT '',
    targets      TEXT    NOT NULL DEFAULT '[]',
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT '',
    session      TEXT    NOT NULL DEFAULT '',
    request      TEXT    NOT NULL DEFAULT '',
    message      TEXT    NOT NULL DEFAULT '',
    changes      TEXT    NOT NULL DEFAULT '[]',
    raw          BLOB    NOT NULL
);
CREATE INDEX events_time ON events(time_ns);
CREATE INDEX events_source ON events(source_id);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
