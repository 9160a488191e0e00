package report_test

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/report"
)

// writeBook writes a report of events to a temporary file and reads it back.
func writeBook(t *testing.T, events report.Events, sources []audit.Source, opts report.Options) (*book, *report.Summary) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.xlsx")
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := report.Write(out, events, sources, opts)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return openBook(t, file), sum
}

func TestReportTextIsSafeForACell(t *testing.T) {
	long := strings.Repeat("a", report.MaxCellChars+10)
	emoji := strings.Repeat("😀", report.MaxCellChars/2+1) // 2 UTF-16 units each
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tnewline\ncr\r", "tab\tnewline\ncr\r"},
		{"bell\a nul\x00 esc\x1b", "bell\uFFFD nul\uFFFD esc\uFFFD"},
		{"bad \xff\xfe utf8", "bad \uFFFD\uFFFD utf8"},
		{"nonchars \uFFFE\uFFFF", "nonchars \uFFFD\uFFFD"},
		{"=HYPERLINK(\"http://x\",\"y\")", "=HYPERLINK(\"http://x\",\"y\")"}, // kept: inline strings never evaluate
		{long, strings.Repeat("a", report.MaxCellChars-1) + "…"},
		{strings.Repeat("a", report.MaxCellChars), strings.Repeat("a", report.MaxCellChars)},
		{emoji, strings.Repeat("😀", (report.MaxCellChars-1)/2) + "…"},
	}
	for _, c := range cases {
		if got := report.Text(c.in); got != c.want {
			t.Errorf("Text(%.40q) = %.40q (%d bytes), want %.40q (%d bytes)", c.in, got, len(got), c.want, len(c.want))
		}
	}
	for in, want := range map[string]string{"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b", "": "", "'=x": "''=x", "'quoted'": "''quoted'"} {
		if got := report.CSVText(in); got != want {
			t.Errorf("CSVText(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		in   any
		want string
	}{{nil, ""}, {"ADMIN", "ADMIN"}, {true, "true"}, {5.0, "5"}, {map[string]any{"a": []any{1.0}}, `{"a":[1]}`},
		{"", `""`}, {"0", `"0"`}, {"-1.5e3", `"-1.5e3"`}, {"true", `"true"`}, {"null", `"null"`}, {"007", "007"}, {"1.2.3", "1.2.3"}} {
		if got := report.Value(c.in); got != c.want {
			t.Errorf("Value(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// With the row limit lowered to 100, 250 events go on Events, Events (2)
// and Events (3), in order, each part a full table; the Summary says so.
func TestReportContinuationSheets(t *testing.T) {
	defer func(n int) { report.MaxRows = n }(report.MaxRows)
	report.MaxRows = 100
	const n = 250 // 63 with two changes each: 126 change rows; 250 actors
	b, sum := writeBook(t, synth(n), []audit.Source{{ID: 1, Path: "/evidence/export.zip"}}, report.Options{Case: "c", Version: "test"})
	want := []string{"Summary", "Events", "Events (2)", "Events (3)", "Changes", "Changes (2)", "Actors", "Actors (2)", "Actors (3)", "Sources"}
	if got := b.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q\nwant %q", got, want)
	}
	if !slices.Equal(sum.Sheets, want) || sum.Events != n || sum.Changes != 126 {
		t.Errorf("summary: %d events, %d changes, sheets %q", sum.Events, sum.Changes, sum.Sheets)
	}
	// The events continue without gap or repeat, newest first.
	next := 0
	for _, sheet := range want[1:4] {
		rows := b.rows(t, sheet)
		if len(rows) > report.MaxRows {
			t.Errorf("%s has %d rows", sheet, len(rows))
		}
		b.checkTable(t, sheet, rows[0])
		id := b.column(t, sheet, "Event ID")
		for r := 2; r <= len(rows); r++ {
			if got := b.value(t, sheet, fmt.Sprintf("%s%d", id, r), false); got != fmt.Sprintf("ev%07d", next) {
				t.Fatalf("%s row %d: %s, want ev%07d", sheet, r, got, next)
			}
			next++
		}
	}
	if next != n {
		t.Fatalf("%d events on the Events sheets, want %d", next, n)
	}
	changes := len(b.rows(t, "Changes")) + len(b.rows(t, "Changes (2)")) - 2
	if changes != 126 {
		t.Errorf("%d change rows, want 126", changes)
	}
	for _, s := range want[4:] {
		b.checkTable(t, s, b.rows(t, s)[0])
	}
	b.checkTable(t, "Summary", []string{"Section", "Item", "Value"})
	var notes []string
	for _, r := range b.rows(t, "Summary") {
		if r[0] == "Sheets" {
			notes = append(notes, strings.Join(r[1:], " "))
		}
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "Events continue on Events (2), Events (3)") ||
		!strings.Contains(notes[1], "Changes continue on Changes (2)") {
		t.Errorf("the summary does not name the continuation sheets: %q", notes)
	}
}

func TestReportChosenSheetsOnly(t *testing.T) {
	sheets, err := report.ParseSheets("sources, EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := writeBook(t, synth(10), nil, report.Options{Sheets: sheets})
	if got := b.GetSheetList(); !slices.Equal(got, []string{"Events", "Sources"}) {
		t.Fatalf("sheets %q", got)
	}
	if _, err := report.ParseSheets("events,pivot"); audit.ErrorCode(err) != audit.EINVALID || !strings.Contains(err.Error(), "pivot") {
		t.Fatalf("bad sheet name: %v", err)
	}
}

// The aggregates of the Summary and Actors sheets, on numbers worked out
// by hand from the generator.
func TestReportSummaryAndActors(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	b, sum := writeBook(t, synth(1000), nil, report.Options{Location: berlin})
	if sum.Actors != 500 || sum.Zone != "Europe/Berlin" || len(sum.TopActors) != report.TopN {
		t.Fatalf("summary: %d actors, zone %s, %d top actors", sum.Actors, sum.Zone, len(sum.TopActors))
	}
	// user.login and user.logout (i%10 is 0 or 1: access) fail when i%9 == 0:
	// i%90 is 0 (12 below 1000) or 81 (11).
	if sum.FailedLogins != 23 {
		t.Errorf("failed logins %d, want 23", sum.FailedLogins)
	}
	rows := b.rows(t, "Actors")
	if rows[1][0] != "user0@example.com" || rows[1][4] != "2" {
		t.Errorf("busiest actor row: %q", rows[1])
	}
	// user0: events 0 and 500 (user.login, i%10 == 0); both i%9: 0 yes, 500 no.
	if rows[1][5] != "1" || rows[1][6] != "2" {
		t.Errorf("user0 failures/distinct IPs: %q", rows[1])
	}
	// Privileged: user4 has events 4 (user.role_changed, changes) and 504
	// (user.role_changed: "role" in the action).
	for _, r := range rows {
		if r[0] == "user4@example.com" && r[7] != "2" {
			t.Errorf("user4 privileged actions: %q", r)
		}
		if r[0] == "user1@example.com" && r[7] != "0" {
			t.Errorf("user1 (logouts) privileged actions: %q", r)
		}
	}
}

// An error of the events (the case could not be read) ends the report with
// that error, whichever stage is busy: the writer's goroutines stop and
// nothing waits forever.
func TestReportStopsOnTheEventsError(t *testing.T) {
	broken := errors.New("disk I/O error")
	for _, after := range []int{0, 1, 5000} {
		events := func(yield func(*audit.Event, error) bool) {
			for ev := range synth(after) {
				if !yield(ev, nil) {
					return
				}
			}
			yield(nil, broken)
		}
		_, err := report.Write(io.Discard, events, nil, report.Options{})
		if !errors.Is(err, broken) {
			t.Fatalf("after %d events: %v, want the events' error", after, err)
		}
	}
}

// A time reads as the moment it was: to the millisecond, never rounded into
// the next second (or year), and with its offset where the zone's clock
// goes back and one wall time names two moments.
func TestReportTimesAreExactAndUnambiguous(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	times := []time.Time{
		time.Date(2026, 1, 1, 4, 59, 59, 999_900_000, time.UTC), // 23:59:59.9999 in New York
		time.Date(2025, 11, 2, 6, 30, 0, 0, time.UTC),           // 01:30 EST
		time.Date(2025, 11, 2, 5, 30, 0, 0, time.UTC),           // 01:30 EDT, an hour before
		time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC),            // given with no zone
	}
	events := func(yield func(*audit.Event, error) bool) {
		for i, at := range times {
			ev := &audit.Event{ID: fmt.Sprintf("ev%d", i), Time: at, Action: "user.login", Format: "x",
				Changes: []audit.Change{{Path: "role", Before: "a", After: "b"}}, TimeNoZone: i == 3}
			if !yield(ev, nil) {
				return
			}
		}
	}
	b, _ := writeBook(t, events, nil, report.Options{Location: ny})
	want := [][2]string{{"2025-12-31 23:59:59.999", "-05:00"}, {"2025-11-02 01:30:00.000", "-05:00"}, {"2025-11-02 01:30:00.000", "-04:00"},
		{"2025-07-01 08:00:00.000", "-04:00 (the record gave no zone: read as UTC)"}}
	for _, sheet := range []string{"Events", "Changes"} {
		if h := b.rows(t, sheet)[0]; h[0] != "Time (America/New_York)" || h[1] != "UTC offset" {
			t.Errorf("%s: header %q", sheet, h[:2])
		}
		for i, w := range want {
			row := i + 2
			got := [2]string{shownAt(t, b, sheet, fmt.Sprintf("A%d", row)), b.value(t, sheet, fmt.Sprintf("B%d", row), false)}
			if got != w {
				t.Errorf("%s row %d: %q, want %q", sheet, row, got, w)
			}
		}
	}
	// The Summary's first and last event are cut likewise.
	for i, r := range b.rows(t, "Summary") {
		if len(r) > 1 && r[1] == "Last event" {
			if got := shownAt(t, b, "Summary", fmt.Sprintf("C%d", i+1)); got != "2025-12-31 23:59:59.999" {
				t.Errorf("Summary: last event shown as %s", got)
			}
		}
	}
	// UTC has no offsets to tell apart.
	b, _ = writeBook(t, events, nil, report.Options{})
	if h := b.rows(t, "Events")[0]; h[0] != "Time (UTC)" || h[1] != "Actor" {
		t.Errorf("UTC: header %q", h[:2])
	}
	// The machine's own zone is named as the reader can look it up, not
	// "Local" (here by $TZ, as the process's zone is read).
	t.Setenv("TZ", "Asia/Tokyo")
	b, sum := writeBook(t, events, nil, report.Options{Location: time.Local})
	if h := b.rows(t, "Events")[0]; h[0] != "Time (Asia/Tokyo)" || sum.Zone != "Asia/Tokyo" {
		t.Errorf("local time: header %q, summary zone %q", h[0], sum.Zone)
	}
}

// shownAt is what Excel shows of a date-time cell formatted to the
// millisecond: its serial number rounded to the millisecond. (excelize's
// own formatter rounds to the second first, so it cannot tell.)
func shownAt(t *testing.T, b *book, sheet, cell string) string {
	t.Helper()
	id, _ := b.GetCellStyle(sheet, cell)
	if st, err := b.GetStyle(id); err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "yyyy-mm-dd hh:mm:ss.000" {
		t.Fatalf("%s!%s: format %+v %v", sheet, cell, st, err)
	}
	serial, err := strconv.ParseFloat(b.value(t, sheet, cell, true), 64)
	if err != nil {
		t.Fatal(err)
	}
	ms := int64(math.Round(serial * 86_400_000))
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond).Format("2006-01-02 15:04:05.000")
}
