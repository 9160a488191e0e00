package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// reportCase imports one corpus folder into a fresh case.
func reportCase(t *testing.T) (caseDir, outDir string) {
	t.Helper()
	dir := corpus(t)
	outDir = t.TempDir()
	caseDir = filepath.Join(outDir, "case")
	if r := run(t, "import", "--case", caseDir, "--json", filepath.Join(dir, "okta_system_log")); r.code != 0 {
		t.Fatalf("import: %d %s", r.code, r.stderr)
	}
	return caseDir, outDir
}

// leftovers lists what is in dir besides the case: a failed or finished
// report must not leave temporary files.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "case" {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestReportCommand(t *testing.T) {
	c, dir := reportCase(t)
	out := filepath.Join(dir, "audit.xlsx")
	r := run(t, "report", "--case", c, "--tz", "Europe/Berlin", "--sheets", "summary,events,sources",
		"--query", "outcome:unknown", "--out", out) // (an MFA challenge: Okta's corpus has no failure)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote "+out) {
		t.Fatalf("report: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if got := leftovers(t, dir); !slices.Equal(got, []string{"audit.xlsx"}) {
		t.Errorf("files beside the report: %q", got)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Summary", "Events", "Sources"}) {
		t.Fatalf("sheets %q", got)
	}
	rows, _ := f.GetRows("Events")
	if len(rows) < 2 {
		t.Fatal("no okta events of unknown outcome")
	}
	for _, row := range rows[1:] {
		if row[5] != "unknown" || row[1] != "+02:00" {
			t.Fatalf("--query ignored: %q", row)
		}
	}
	// The sources cited are those the events come from, each with how many.
	srcRows, _ := f.GetRows("Sources")
	in := 0
	for _, row := range srcRows[1:] {
		n, _ := strconv.Atoi(row[6])
		if n == 0 {
			t.Errorf("a source none of the report's events come from: %q", row)
		}
		in += n
	}
	if in != len(rows)-1 || len(srcRows) < 2 {
		t.Errorf("Sources: %d rows, %d events in them, %d in the report", len(srcRows)-1, in, len(rows)-1)
	}
	summary, _ := f.GetRows("Summary")
	var version, zone string
	for _, row := range summary {
		switch row[1] {
		case "auditlens version":
			version = row[2]
		case "Time zone":
			zone = row[2]
		}
	}
	if version != Version || zone != "Europe/Berlin" {
		t.Errorf("summary: version %q, zone %q", version, zone)
	}
}

func TestReportCommandRefusals(t *testing.T) {
	c, dir := reportCase(t)
	out := filepath.Join(dir, "audit.xlsx")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tz", "Mars/Olympus", "--out", out}, "--tz"},
		{[]string{"--sheets", "events,pivots", "--out", out}, "--sheets"},
		{[]string{"--from", "yesterday", "--out", out}, "--from"},
		{[]string{}, "--out"},
		{[]string{"--query", `action:"unclosed`, "--out", out}, ""}, // fails while writing
		{[]string{"--out", filepath.Join(dir, "no", "such", "dir.xlsx")}, "cannot write"},
	} {
		r := run(t, append([]string{"report", "--case", c}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("report %q: exit %d, %s", tc.args, r.code, r.stderr)
		}
	}
	if got := leftovers(t, dir); len(got) != 0 {
		t.Errorf("a failed report left %q", got)
	}
}

func TestExportCommand(t *testing.T) {
	c, dir := reportCase(t)
	out := filepath.Join(dir, "events.csv")
	r := run(t, "export", "--case", c, "--format", "csv", "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "exported 100 events") {
		t.Fatalf("export csv: %d %s %s", r.code, r.stdout, r.stderr)
	}
	fh, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil || len(recs) != 101 || recs[0][0] != "id" {
		t.Fatalf("csv: %d records, %v", len(recs), err)
	}

	r = run(t, "export", "--case", c, "--format", "ndjson", "--from", "2000-01-01", "--out", "-")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 100 || !strings.Contains(r.stderr, "exported 100 events") {
		t.Fatalf("export ndjson to stdout: %d, %d lines, %s", r.code, len(lines), r.stderr)
	}
	var ev struct {
		ID  string          `json:"id"`
		Raw json.RawMessage `json:"raw"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil || ev.ID == "" || len(ev.Raw) == 0 {
		t.Fatalf("line 1: %v %s", err, lines[0])
	}

	for _, args := range [][]string{{"--format", "xlsx", "--out", out}, {"--out", out}, {"--format", "csv"}} {
		r := run(t, append([]string{"export", "--case", c}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "--") {
			t.Errorf("export %q: exit %d, %s", args, r.code, r.stderr)
		}
	}
}

// --from and --to are days of --tz: "the 21st in New York" runs from its
// midnight there, as the Summary says in that zone.
func TestReportRangeInItsZone(t *testing.T) {
	c, dir := reportCase(t)
	out := filepath.Join(dir, "ny.xlsx")
	if r := run(t, "report", "--case", c, "--tz", "America/New_York", "--from", "2025-07-21", "--to", "2025-07-21T12:00",
		"--sheets", "summary", "--out", out); r.code != 0 {
		t.Fatalf("report: %s", r.stderr)
	}
	if got := summaryValue(t, out, "From"); got != "2025-07-21 00:00:00.000 -04:00" {
		t.Errorf("From: %q", got)
	}
	if got := summaryValue(t, out, "To (exclusive)"); got != "2025-07-21 12:00:00.000 -04:00" {
		t.Errorf("To: %q", got)
	}
}
