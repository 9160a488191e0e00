-- Structured queries, facets and the timeline are answered by SQLite, not by
-- the search index: every keyword value (folded as the index folds it) gets
-- an id in terms, each event carries the ids of its values, and counts are
-- kept as events arrive (terms.n, timeline). The index keeps the words.
CREATE TABLE terms (
    id      INTEGER PRIMARY KEY,
    field   TEXT    NOT NULL,          -- category, action, actor.label, … ('*': every event)
    folded  TEXT    NOT NULL,          -- the value as queries match it
    display TEXT    NOT NULL,          -- the first spelling seen
    n       INTEGER NOT NULL DEFAULT 0, -- events with this value
    UNIQUE (field, folded)
);
ALTER TABLE events ADD COLUMN k_category    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN k_action      INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN k_outcome     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN k_actor_label INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN k_actor_email INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN k_ip          INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN k_format      INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN k_source      INTEGER NOT NULL DEFAULT 0;
-- Events counted per hour by category and outcome: the whole-case timeline
-- and the totals of category/outcome queries without reading events.
CREATE TABLE timeline (
    hour       INTEGER NOT NULL,         -- unix time / 3600, rounded down
    k_category INTEGER NOT NULL,
    k_outcome  INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (hour, k_category, k_outcome)
) WITHOUT ROWID;
-- terms.display replaces display_values.
DROP TABLE display_values;
-- One index per keyword field, ordered by time within a value: a page of a
-- structured query, newest first, reads only its own rows.
CREATE INDEX events_k_category    ON events(k_category, time_ns);
CREATE INDEX events_k_action      ON events(k_action, time_ns);
CREATE INDEX events_k_outcome     ON events(k_outcome, time_ns);
CREATE INDEX events_k_actor_label ON events(k_actor_label, time_ns);
CREATE INDEX events_k_actor_email ON events(k_actor_email, time_ns);
CREATE INDEX events_k_ip          ON events(k_ip, time_ns);
CREATE INDEX events_k_format      ON events(k_format, time_ns);
CREATE INDEX events_k_source      ON events(k_source, time_ns);
