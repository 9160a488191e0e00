package cli

import (
	"time"

	"auditlens/backend/audit"
)

// parseFlagTime reads --from/--to: RFC 3339, or a date (UTC). A date given
// as the end of a range includes that whole day.
func parseFlagTime(flag, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	return time.Time{}, audit.Errorf(audit.EINVALID, "--%s %q is not a time: use RFC 3339 (2026-03-01T12:00:00Z) or a date (2026-03-01)", flag, s)
}
