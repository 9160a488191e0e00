package audit

import "time"

// Query selects events: Bleve query-string syntax over the normalized fields
// plus free text, an optional time range [From, To), and a page size.
type Query struct {
	Text  string
	From  time.Time // zero = open
	To    time.Time // zero = open; exclusive
	Limit int
	// Cursor continues a previous page (its Next); "" starts at the newest.
	Cursor string
}
