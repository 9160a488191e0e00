package audit

import (
	"testing"
	"time"
)

// A day begins at its midnight, or where the clock skips midnight at the
// first instant it has: time.Date put Santiago's 2025-09-07 on the evening
// before, so a report's day and a --from date took an hour of the 6th.
func TestDayStart(t *testing.T) {
	for _, c := range []struct {
		zone string
		y    int
		m    time.Month
		d    int
		want string
	}{
		{"America/Santiago", 2025, 9, 7, "2025-09-07T01:00:00-03:00"}, // 23:59:59 -04 is followed by 01:00 -03
		{"America/Santiago", 2025, 9, 6, "2025-09-06T00:00:00-04:00"},
		{"Europe/Berlin", 2025, 3, 30, "2025-03-30T00:00:00+01:00"}, // a 23-hour day
		{"Europe/Berlin", 2025, 10, 26, "2025-10-26T00:00:00+02:00"},
		{"UTC", 2028, 2, 30, "2028-03-01T00:00:00Z"}, // (d overflows as for time.Date; 2028 is a leap year)
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Skip(err)
		}
		if got := DayStart(c.y, c.m, c.d, loc).In(loc).Format(time.RFC3339); got != c.want {
			t.Errorf("%s %d-%d-%d: %s, want %s", c.zone, c.y, c.m, c.d, got, c.want)
		}
	}
	santiago, _ := time.LoadLocation("America/Santiago")
	if from, ok := ParseBoundIn("2025-09-07", false, santiago); !ok || from.Format(time.RFC3339) != "2025-09-07T04:00:00Z" {
		t.Errorf("--from 2025-09-07 in Santiago: %s", from)
	}
	if to, ok := ParseBoundIn("2025-09-06", true, santiago); !ok || to.Format(time.RFC3339) != "2025-09-07T04:00:00Z" {
		t.Errorf("--to 2025-09-06 in Santiago: %s", to)
	}
}
