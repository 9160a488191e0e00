-- Facets of a one-term filter over the whole case (a click on a facet
-- value): how many events have both term a and term b, of two different
-- fields, kept both ways as events arrive. Reading the rows of a filter
-- most events match took a second at 1M events; this is a few rows.
-- Complete once meta 'term_pairs' is '1': a case with events before this
-- migration is filled when it is next opened (Store.fillPairs).
CREATE TABLE term_pairs (
    a INTEGER NOT NULL,
    b INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
INSERT INTO meta(key, value) SELECT 'term_pairs', '1' WHERE NOT EXISTS (SELECT 1 FROM events);
