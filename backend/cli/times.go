package cli

import (
	"time"

	"auditlens/backend/audit"
)

// parseFlagTime reads --from/--to (audit.ParseBoundIn), naming the flag:
// a date, or a time without an offset, is read in loc.
func parseFlagTime(flag, s string, end bool, loc *time.Location) (time.Time, error) {
	t, ok := audit.ParseBoundIn(s, end, loc)
	if !ok {
		return time.Time{}, audit.Errorf(audit.EINVALID, "--%s %q is not a time: use RFC 3339 (2026-03-01T12:00:00Z) or a date (2026-03-01)", flag, s)
	}
	return t, nil
}
