-- The search index keeps keyword values lower-cased (queries ignore case);
-- this table gives facets back the values as the records spell them.
CREATE TABLE display_values (
    field  TEXT NOT NULL,
    folded TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (field, folded)
) WITHOUT ROWID;
