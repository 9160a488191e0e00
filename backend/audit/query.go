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

// ParseBound reads a bound of a time range (--from, --to, the API's from
// and to): RFC 3339, a time without a zone (UTC), or a date (UTC). A date
// given as the end of a range (end) includes that whole day. "" is no
// bound.
func ParseBound(s string, end bool) (time.Time, bool) { return ParseBoundIn(s, end, time.UTC) }

// ParseBoundIn is ParseBound with a time without a zone, and a date, read
// in loc: a report in New York of "July" is July's days in New York.
func ParseBoundIn(s string, end bool, loc *time.Location) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	for _, l := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		y, m, d := t.Date()
		if end {
			d++
		}
		return DayStart(y, m, d, loc).UTC(), true
	}
	return time.Time{}, false
}

// DayStart is when the day y-m-d begins in loc: its midnight, or, where the
// clock skips midnight (Santiago, Havana, Asunción: 23:59 to 01:00), the
// first instant of the day, which time.Date would put an hour before it,
// on the day before. d may overflow the month, as for time.Date.
func DayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // (the day, normalized)
	for i := 0; i < 4; i++ {
		ly, lm, ld := t.In(loc).Date()
		if !time.Date(ly, lm, ld, 0, 0, 0, 0, time.UTC).Before(want) {
			break
		}
		t = t.Add(30 * time.Minute) // (offsets change by 30 minutes at least)
	}
	return t
}
