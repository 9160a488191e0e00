-- The investigator's own marks: tags on events (a star is the tag
-- "starred"), notes, and saved searches.
CREATE TABLE event_tags (
    event_id TEXT    NOT NULL,
    tag      TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (event_id, tag)
) WITHOUT ROWID;
CREATE INDEX event_tags_tag ON event_tags(tag);

CREATE TABLE notes (
    id       INTEGER PRIMARY KEY,
    event_id TEXT    NOT NULL,
    text     TEXT    NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX notes_event ON notes(event_id);

CREATE TABLE saved_searches (
    name  TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    "from" TEXT NOT NULL DEFAULT '',
    "to"   TEXT NOT NULL DEFAULT '',
    at    INTEGER NOT NULL
);
