package ingest

import (
	"math"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"
)

var zonedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02T15:04:05.999999999 -0700",
	time.RFC1123Z,
	time.RFC1123,
	time.UnixDate,
	"02/Jan/2006:15:04:05 -0700",
}

var bareLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 15:04:05",
	"2006/01/02 15:04:05",
	"2006-01-02",
}

var (
	minTime = time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// parseTime reads a time in any of the usual audit encodings: epoch seconds,
// milliseconds, microseconds or nanoseconds (number or numeric string, with
// or without a fraction), ISO 8601 with a zone, an offset such as +0000, a
// space instead of T, or no zone at all — then it is UTC and noZone is set.
func parseTime(v any) (t time.Time, noZone bool, ok bool) {
	t, noZone, ok = parseAnyTime(v)
	if !ok || !inRange(t) {
		return time.Time{}, false, false
	}
	return t.UTC(), noZone, true
}

// inRange: t lies in the years auditlens takes, 1971 to 2199 (an epoch
// number's unit is read from its size, which needs a floor and a ceiling).
func inRange(t time.Time) bool { return !t.Before(minTime) && t.Before(maxTime) }

// parseAnyTime is parseTime without its range.
func parseAnyTime(v any) (t time.Time, noZone bool, ok bool) {
	switch x := v.(type) {
	case json.Number:
		t, ok = parseEpoch(string(x))
	case float64:
		t, ok = parseEpoch(strconv.FormatFloat(x, 'f', -1, 64))
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return
		}
		if isNumeric(s) {
			t, ok = parseEpoch(s)
			break
		}
		for _, l := range zonedLayouts {
			if p, err := time.Parse(l, s); err == nil {
				t, ok = p, true
				break
			}
		}
		if !ok {
			for _, l := range bareLayouts {
				if p, err := time.Parse(l, s); err == nil {
					t, ok, noZone = p, true, true
					break
				}
			}
		}
	}
	return t, noZone, ok
}

func isNumeric(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return len(s) > 0
}

// parseEpoch picks the unit by magnitude: seconds up to the year 5138,
// then milliseconds, microseconds, nanoseconds.
func parseEpoch(s string) (time.Time, bool) {
	intPart, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, false
	}
	var unit int64
	switch {
	case n < 1e11:
		unit = 1e9
	case n < 1e14:
		unit = 1e6
	case n < 1e17:
		unit = 1e3
	default:
		unit = 1
	}
	if n > math.MaxInt64/unit {
		return time.Time{}, false
	}
	ns := n * unit
	if frac != "" && unit > 1 {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err == nil {
			ns += int64(math.Round(f * float64(unit)))
		}
	}
	return time.Unix(0, ns), true
}
