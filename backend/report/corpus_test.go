package report_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"auditlens/backend/audit"
	"auditlens/backend/report"
	"auditlens/backend/service"
)

func corpus(t *testing.T) string {
	t.Helper()
	d, _ := filepath.Abs("../../../shared/corpus")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("corpus not found at %s: skipping", d)
	}
	return d
}

// hostileNDJSON is a small export written by the test: values a
// spreadsheet would take for formulas, and a control character. Its times
// are the newest of the case, so its events are the first rows.
const hostileNDJSON = `{"time":"2099-01-02T10:00:00Z","user":"=HYPERLINK(\"http://x\",\"y\")","action":"@SUM(A1)","message":"bell\u0007here","ip":"192.0.2.1"}
{"time":"2099-01-02T09:00:00Z","user":"+cmd|' /C calc'!A0","action":"-2+3","message":"tab","ip":"192.0.2.2"}
`

// corpusCase imports the shared corpus and the hostile file into a case.
func corpusCase(t *testing.T) (*service.Case, string) {
	t.Helper()
	dir := corpus(t)
	hostile := filepath.Join(t.TempDir(), "hostile.ndjson")
	if err := os.WriteFile(hostile, []byte(hostileNDJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	caseDir := filepath.Join(t.TempDir(), "incident-42")
	c, err := service.Open(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	sum, err := c.Import([]string{dir, hostile}, service.ImportOptions{})
	if err != nil || len(sum.Failures) > 0 || sum.Events < 850 {
		t.Fatalf("import: %v %v, %d events", err, sum.Failures, sum.Events)
	}
	return c, dir
}

func TestReportCorpus(t *testing.T) {
	c, dir := corpusCase(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "audit.xlsx")
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Report(context.Background(), audit.Query{}, report.Options{Location: berlin, Version: "v9.9.9"}, out)
	if err != nil {
		t.Fatal(err)
	}
	out.Close()
	all, err := c.Search(audit.Query{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Events != int(all.Total) || sum.Case != "incident-42" || sum.Zone != "Europe/Berlin" {
		t.Fatalf("summary: %d events of %d, case %q, zone %q", sum.Events, all.Total, sum.Case, sum.Zone)
	}
	b := openBook(t, file)

	t.Run("sheets and headers", func(t *testing.T) {
		if got := b.GetSheetList(); !slices.Equal(got, []string{"Summary", "Events", "Changes", "Actors", "Sources"}) {
			t.Fatalf("sheets %q", got)
		}
		zone := " (Europe/Berlin)"
		for sheet, header := range map[string][]string{
			"Summary": {"Section", "Item", "Value"},
			"Events": {"Time" + zone, "UTC offset", "Actor", "Action", "Category", "Outcome", "Targets", "IP", "User agent",
				"Message", "Source", "Tags", "Notes", "Event ID"},
			"Changes": {"Time" + zone, "UTC offset", "Actor", "Action", "Target", "Path", "Before", "After", "Event ID"},
			"Actors": {"Actor", "Type", "First seen" + zone, "Last seen" + zone, "Events", "Failures",
				"Distinct IPs", "Privileged actions"},
			"Sources": {"Path", "Archive member", "Size (bytes)", "SHA-256", "Format", "Events", "In this report", "Duplicates",
				"Rejected", "Imported" + zone, "Importer version", "Problem"},
		} {
			b.checkTable(t, sheet, header)
		}
		if rows := b.rows(t, "Events"); len(rows)-1 != sum.Events {
			t.Errorf("%d event rows, %d events", len(rows)-1, sum.Events)
		}
		if rows := b.rows(t, "Changes"); len(rows)-1 != sum.Changes || sum.Changes == 0 {
			t.Errorf("%d change rows, %d changes", len(rows)-1, sum.Changes)
		}
	})

	t.Run("summary", func(t *testing.T) {
		items := map[string]string{}
		for _, r := range b.rows(t, "Summary")[1:] {
			if len(r) == 3 {
				items[r[0]+"/"+r[1]] = r[2]
			}
		}
		for k, want := range map[string]string{"Report/Case": "incident-42", "Report/auditlens version": "v9.9.9",
			"Report/Time zone": "Europe/Berlin", "Report/Query": "(every event)", "Totals/Events": strconv.Itoa(sum.Events),
			"Failed logins/Access events with outcome failure": strconv.Itoa(sum.FailedLogins)} {
			if items[k] != want {
				t.Errorf("summary %s = %q, want %q", k, items[k], want)
			}
		}
		if sum.FailedLogins == 0 || len(sum.ByDay) < 10 {
			t.Errorf("%d failed logins, %d days", sum.FailedLogins, len(sum.ByDay))
		}
		// The chart: a drawing on the Summary sheet holding a column chart.
		chart := html.UnescapeString(b.parts["xl/charts/chart1.xml"])
		if !strings.Contains(b.parts[b.sheets["Summary"]], "<drawing ") || !strings.Contains(chart, "barChart>") ||
			!strings.Contains(chart, `<barDir val="col">`) {
			t.Error("no column chart on the Summary sheet")
		}
		days := 0
		for _, r := range b.rows(t, "Summary") {
			if r[0] == "By day" {
				days++
			}
		}
		first := len(b.rows(t, "Summary")) - days + 1
		if days != len(sum.ByDay) || !strings.Contains(chart, fmt.Sprintf("'Summary'!$C$%d:$C$%d", first, first+days-1)) {
			t.Errorf("the chart does not read the %d by-day rows from row %d", days, first)
		}
	})

	t.Run("event times are date-time cells in the zone", func(t *testing.T) {
		idCol := b.column(t, "Events", "Event ID")
		for i, ev := range all.Events {
			row := i + 2
			if got := b.value(t, "Events", fmt.Sprintf("%s%d", idCol, row), false); got != ev.ID {
				t.Fatalf("row %d is %s, search gives %s first", row, got, ev.ID)
			}
			cell := fmt.Sprintf("A%d", row)
			if typ, _ := b.GetCellType("Events", cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
				t.Errorf("%s: cell type %v, want a number", cell, typ)
			}
			id, _ := b.GetCellStyle("Events", cell)
			if st, err := b.GetStyle(id); err != nil || st.CustomNumFmt == nil || !strings.Contains(*st.CustomNumFmt, "yyyy") {
				t.Errorf("%s: not a date format: %+v %v", cell, st, err)
			}
			serial, err := strconv.ParseFloat(b.value(t, "Events", cell, true), 64)
			if err != nil {
				t.Fatalf("%s: raw value is not a serial number: %v", cell, err)
			}
			wall := ev.Time.In(berlin)
			local := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
			want := local.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
			if math.Abs(serial-want) > 2e-8 { // about a millisecond
				t.Errorf("%s: serial %f, want %f (%s in Berlin)", cell, serial, want, wall)
			}
		}
	})

	t.Run("formula-looking values stay text", func(t *testing.T) {
		for cell, want := range map[string]string{"C2": `=HYPERLINK("http://x","y")`, "D2": "@SUM(A1)",
			"C3": "+cmd|' /C calc'!A0", "D3": "-2+3"} {
			if f, _ := b.GetCellFormula("Events", cell); f != "" {
				t.Errorf("%s became a formula: %q", cell, f)
			}
			if typ, _ := b.GetCellType("Events", cell); typ != excelize.CellTypeInlineString {
				t.Errorf("%s: type %v, want an inline string", cell, typ)
			}
			if got := b.value(t, "Events", cell, false); got != want {
				t.Errorf("%s = %q, want %q", cell, got, want)
			}
		}
		msg := b.column(t, "Events", "Message")
		if got := b.value(t, "Events", msg+"2", false); got != "bell\uFFFDhere" {
			t.Errorf("control character: message %q", got)
		}
	})

	t.Run("sources carry the real SHA-256", func(t *testing.T) {
		plain := filepath.Join(dir, "github_audit", "test-audit-json.log")
		data, err := os.ReadFile(plain)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(data)
		rows := b.rows(t, "Sources")
		found := false
		for _, r := range rows[1:] {
			if r[0] == plain && (len(r) < 2 || r[1] == "") {
				found = true
				if r[3] != hex.EncodeToString(h[:]) || r[2] != strconv.Itoa(len(data)) {
					t.Errorf("source row %q: want sha256 %x, size %d", r, h, len(data))
				}
			}
		}
		if !found || len(rows)-1 != sum.Sources {
			t.Errorf("no row for %s among %d (%d sources)", plain, len(rows)-1, sum.Sources)
		}
	})

	// A report of a query cites the sources its events come from, and the
	// archives those were read out of, each with how many: not the case's
	// every file.
	t.Run("a query's sources", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "github.xlsx")
		out, _ := os.Create(file)
		q := audit.Query{Text: "format:github.audit"}
		fsum, err := c.Report(context.Background(), q, report.Options{}, out)
		out.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := openBook(t, file)
		rows := b.rows(t, "Sources")
		in := 0
		for _, r := range rows[1:] {
			n, _ := strconv.Atoi(r[6])
			in += n
			if !strings.Contains(r[0], "github") && !strings.Contains(r[1], "github") {
				t.Errorf("a source of no GitHub event: %q", r)
			}
		}
		if in != fsum.Events || len(rows)-1 != fsum.Sources || fsum.Sources == 0 || fsum.Sources >= sum.Sources {
			t.Errorf("%d sources cited of %d, %d events in them of %d", fsum.Sources, sum.Sources, in, fsum.Events)
		}
	})
}
