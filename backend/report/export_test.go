package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/report"
)

func list(evs ...*audit.Event) report.Events {
	return func(yield func(*audit.Event, error) bool) {
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
	}
}

var hostileEvent = &audit.Event{ID: "h1", Time: time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600)),
	Actor:  audit.Actor{ID: "-1", Name: `=HYPERLINK("http://x","y")`, Email: "@SUM(A1)", Type: audit.ActorUser},
	Action: "+cmd", Category: audit.CategoryUser, Outcome: audit.OutcomeSuccess,
	Targets: []audit.Target{{Type: "user", ID: "7", Name: "bob"}, {Type: "role", ID: "admin"}},
	Message: "\tindented, \"quoted\"\nsecond line", Source: audit.SourceRef{Name: "a.zip", Member: "b.json"},
	Changes: []audit.Change{{Path: "role", Before: "user", After: map[string]any{"name": "admin"}}},
	Tags:    []string{"-suspicious", "starred"},
	Notes:   []audit.Note{{ID: 3, Text: "seen before", At: time.Date(2026, 11, 28, 4, 2, 0, 0, time.UTC)}},
	Raw:     audit.RawRecord("{\n  \"a\": 1\n}"), RawSHA256: "ab12", TimeNoZone: true}

func TestExportCSVNeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	n, err := report.WriteCSV(&buf, list(hostileEvent, synthOne()))
	if err != nil || n != 2 {
		t.Fatalf("%d, %v", n, err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], report.CSVHeader) || len(recs) != 3 {
		t.Fatalf("header %q, %d records", recs[0], len(recs))
	}
	got := map[string]string{}
	for i, h := range recs[0] {
		got[h] = recs[1][i]
	}
	for k, want := range map[string]string{"id": "h1", "time": "2026-01-02T02:04:05.0000006Z",
		"actor_id": "'-1", "actor_name": `'=HYPERLINK("http://x","y")`, "actor_email": "'@SUM(A1)",
		"action": "'+cmd", "targets": "user:bob; role:admin", "source": "a.zip!b.json",
		"message": "'\tindented, \"quoted\"\nsecond line", "changes": `[{"path":"role","before":"user","after":{"name":"admin"}}]`,
		"tags": "'-suspicious, starred", "notes": `[{"id":3,"text":"seen before","at":"2026-11-28T04:02:00Z"}]`,
		"raw_sha256": "ab12", "time_no_zone": "true"} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

func synthOne() *audit.Event {
	for ev := range synth(1) {
		return ev
	}
	return nil
}

func TestExportNDJSONOneEventALine(t *testing.T) {
	var buf bytes.Buffer
	n, err := report.Export(&buf, "ndjson", list(hostileEvent, synthOne()))
	if err != nil || n != 2 {
		t.Fatalf("%d, %v", n, err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	var ev audit.Event
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID != "h1" || !ev.Time.Equal(hostileEvent.Time) || ev.Actor != hostileEvent.Actor || string(ev.Raw) != `{"a":1}` {
		t.Errorf("decoded %+v", ev)
	}
	// The record's bytes as imported, where the line's raw is compacted
	// (their hash is raw_sha256), and not where it is not.
	var texts [2]struct {
		RawText *string `json:"raw_text"`
	}
	for i := range texts {
		json.Unmarshal([]byte(lines[i]), &texts[i])
	}
	if texts[0].RawText == nil || *texts[0].RawText != string(hostileEvent.Raw) || texts[1].RawText != nil {
		t.Errorf("raw_text: %q", lines)
	}
	if _, err := report.Export(&buf, "xml", list()); audit.ErrorCode(err) != audit.EINVALID {
		t.Errorf("unknown format: %v", err)
	}
}
