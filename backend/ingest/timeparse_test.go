package ingest

import (
	"testing"
	"time"
)

// A time that names its zone by an abbreviation is the instant it means,
// whatever the machine's zone; an abbreviation of no one offset is no zone
// (flagged), not UTC said with confidence.
func TestZoneAbbreviations(t *testing.T) {
	t.Setenv("TZ", "America/New_York") // (Go read EST by the machine's zone, and CEST as UTC)
	for in, want := range map[string]string{
		"Sun, 30 Mar 2025 02:30:00 EST":   "2025-03-30T07:30:00Z",
		"Sun, 30 Mar 2025 02:30:00 CEST":  "2025-03-30T00:30:00Z",
		"Sun Mar 30 02:30:00 PST 2025":    "2025-03-30T10:30:00Z",
		"Sun, 30 Mar 2025 02:30:00 GMT":   "2025-03-30T02:30:00Z",
		"Sun, 30 Mar 2025 02:30:00 UTC":   "2025-03-30T02:30:00Z",
		"Sun, 30 Mar 2025 02:30:00 JST":   "2025-03-29T17:30:00Z",
		"Sun, 30 Mar 2025 02:30:00 +0545": "2025-03-29T20:45:00Z",
		// RFC 3339 in lower case, and ISO 8601 forms Go's layouts do not take
		"2025-03-30t02:30:00.25z": "2025-03-30T02:30:00.25Z",
		"2025-03-30T02:30+01:00":  "2025-03-30T01:30:00Z",
		"2025-03-30T02:30:00+01":  "2025-03-30T01:30:00Z",
		"20250330T023000Z":        "2025-03-30T02:30:00Z",
		"20250330T023000.5+0100":  "2025-03-30T01:30:00.5Z",
	} {
		got, noZone, ok := parseTime(in)
		if !ok || noZone || got.Format(time.RFC3339Nano) != want {
			t.Errorf("%q: %s (no zone %v, ok %v), want %s", in, got.Format(time.RFC3339Nano), noZone, ok, want)
		}
	}
	for _, in := range []string{"Sun, 30 Mar 2025 02:30:00 IST", "Sun Mar 30 02:30:00 BST 2025"} {
		got, noZone, ok := parseTime(in)
		if !ok || !noZone || got.Format(time.RFC3339) != "2025-03-30T02:30:00Z" {
			t.Errorf("%q: %s (no zone %v, ok %v), want its wall clock flagged as no zone", in, got, noZone, ok)
		}
	}
}
