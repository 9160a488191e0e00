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
	"02/Jan/2006:15:04:05 -0700",
	"2006-01-02T15:04Z07:00",           // ISO 8601 without seconds
	"2006-01-02T15:04:05.999999999Z07", // an offset of whole hours (+01)
	"20060102T150405.999999999Z0700",   // ISO 8601's basic form
}

// abbreviatedLayouts name their zone by its abbreviation alone (RFC 1123,
// date(1)'s output). Go reads an abbreviation it does not know as UTC, and
// one the machine's own zone uses by that zone: "02:30 CEST" was 02:30Z,
// and EST differed between two machines. They are parsed in UTC and the
// abbreviation looked up in zoneAbbreviations; one not there is no zone.
var abbreviatedLayouts = []string{time.RFC1123, time.UnixDate}

// zoneAbbreviations are the zone abbreviations that name one offset: RFC
// 822's (UT, GMT, and the North American ones) and Europe's and Japan's.
// Others are ambiguous (IST, BST, CST outside RFC 822) or rare.
var zoneAbbreviations = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
	"WET": 0, "WEST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "JST": 9,
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
		if len(s) > 10 && s[10] == 't' && s[4] == '-' { // (RFC 3339 allows t and z)
			s = s[:10] + "T" + s[11:]
		}
		if strings.HasSuffix(s, "z") {
			s = s[:len(s)-1] + "Z"
		}
		for _, l := range zonedLayouts {
			if p, err := time.Parse(l, s); err == nil {
				t, ok = p, true
				break
			}
		}
		for _, l := range abbreviatedLayouts {
			if ok {
				break
			}
			if p, err := time.ParseInLocation(l, s, time.UTC); err == nil {
				name, _ := p.Zone()
				h, known := zoneAbbreviations[name]
				if known {
					p = p.Add(-time.Duration(h) * time.Hour) // (p's wall clock, read as UTC)
				}
				t, ok, noZone = p, true, !known
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
