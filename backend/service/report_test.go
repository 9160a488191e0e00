package service

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/report"
)

// exportCase is the corpus plus a file of formula-looking values.
func exportCase(t *testing.T) *Case {
	t.Helper()
	dir := corpus(t)
	hostile := filepath.Join(t.TempDir(), "hostile.ndjson")
	os.WriteFile(hostile, []byte(`{"time":"2099-01-01T00:00:00Z","user":"=HYPERLINK(\"http://x\",\"y\")","action":"@SUM(A1)","message":"-1 day"}`+"\n"), 0o644)
	c := openTemp(t)
	if sum, err := c.Import([]string{dir, hostile}, ImportOptions{}); err != nil || len(sum.Failures) > 0 {
		t.Fatalf("import: %v %v", err, sum.Failures)
	}
	return c
}

// The CSV export reads back through encoding/csv with the values of the
// events that search finds, in the same order; formula-looking cells
// start with a quote.
func TestExportCSVRoundTrip(t *testing.T) {
	c := exportCase(t)
	var buf bytes.Buffer
	n, err := c.Export(context.Background(), audit.Query{}, "csv", &buf)
	if err != nil {
		t.Fatal(err)
	}
	res := mustSearch(t, c, audit.Query{Limit: 10000})
	if n != int(res.Total) || n != len(res.Events) {
		t.Fatalf("exported %d, search finds %d", n, res.Total)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], report.CSVHeader) || len(recs) != n+1 {
		t.Fatalf("header %q, %d records for %d events", recs[0], len(recs)-1, n)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for i, ev := range res.Events {
		rec := recs[i+1]
		get := func(k string) string { return strings.TrimPrefix(rec[col[k]], "'") }
		tm, err := time.Parse(time.RFC3339Nano, rec[col["time"]])
		if err != nil || !tm.Equal(ev.Time) || !strings.HasSuffix(rec[col["time"]], "Z") {
			t.Fatalf("row %d: time %q, event %s", i, rec[col["time"]], ev.Time)
		}
		want := map[string]string{"id": ev.ID, "format": ev.Format, "actor_id": ev.Actor.ID, "actor_name": ev.Actor.Name,
			"actor_email": ev.Actor.Email, "actor_type": ev.Actor.Type, "action": ev.Action, "category": ev.Category,
			"outcome": ev.Outcome, "ip": ev.IP, "user_agent": ev.UserAgent, "session": ev.Session,
			"request": ev.Request, "message": ev.Message}
		for k, v := range want {
			// encoding/csv reads a CRLF inside a quoted field as LF.
			// A formula-looking value has its quote (checked by hand below).
			if v = report.CSVText(strings.ReplaceAll(v, "\r\n", "\n")); rec[col[k]] != v {
				t.Fatalf("row %d (%s): %s = %q, want %q", i, ev.ID, k, rec[col[k]], v)
			}
		}
		if len(ev.Targets) > 0 && !strings.Contains(get("targets"), ev.Targets[0].Label()) {
			t.Errorf("row %d: targets %q lack %q", i, get("targets"), ev.Targets[0].Label())
		}
		if len(ev.Changes) > 0 {
			var ch []audit.Change
			if err := json.Unmarshal([]byte(get("changes")), &ch); err != nil || len(ch) != len(ev.Changes) || ch[0].Path != ev.Changes[0].Path {
				t.Errorf("row %d: changes %q: %v", i, get("changes"), err)
			}
		}
	}
	// The newest event is the hostile one.
	if got := recs[1][col["actor_name"]]; got != `'=HYPERLINK("http://x","y")` {
		t.Errorf("actor_name %q is not neutralised", got)
	}
	if recs[1][col["action"]] != "'@SUM(A1)" || recs[1][col["message"]] != "'-1 day" {
		t.Errorf("action %q, message %q", recs[1][col["action"]], recs[1][col["message"]])
	}
}

// Each NDJSON line decodes to the stored event, its raw record included.
func TestExportNDJSONMatchesStore(t *testing.T) {
	c := exportCase(t)
	var buf bytes.Buffer
	q := audit.Query{Text: "+format:okta.system_log"}
	n, err := c.Export(context.Background(), q, "ndjson", &buf)
	if err != nil || n != 100 {
		t.Fatalf("%d events, %v", n, err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 16<<20)
	lines := 0
	for sc.Scan() {
		var ev audit.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d: %v", lines+1, err)
		}
		lines++
		stored, err := c.Event(ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !ev.Time.Equal(stored.Time) || ev.Actor != stored.Actor || ev.Action != stored.Action || ev.Format != "okta.system_log" {
			t.Fatalf("line %d: %+v\nstored %+v", lines, ev, stored)
		}
		var compact bytes.Buffer
		if json.Compact(&compact, stored.Raw) != nil || compact.String() != string(ev.Raw) {
			t.Fatalf("line %d: raw record differs", lines)
		}
	}
	if lines != n {
		t.Fatalf("%d lines for %d events", lines, n)
	}
}

func TestExportAndReportRefuseBadInput(t *testing.T) {
	c := openTemp(t)
	if _, err := c.Export(context.Background(), audit.Query{}, "xlsx", io.Discard); audit.ErrorCode(err) != audit.EINVALID {
		t.Errorf("bad format: %v", err)
	}
	if _, err := c.Report(context.Background(), audit.Query{Text: `action:"unclosed`}, report.Options{}, io.Discard); audit.ErrorCode(err) != audit.EINVALID {
		t.Errorf("bad query: %v", err)
	}
	if _, err := c.Export(context.Background(), audit.Query{From: time.Now(), To: time.Now().Add(-time.Hour)}, "csv", io.Discard); audit.ErrorCode(err) != audit.EINVALID {
		t.Errorf("empty range: %v", err)
	}
}
