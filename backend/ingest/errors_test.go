package ingest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"auditlens/backend/audit"
)

func actions(evs []*audit.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

// One bad record never costs the good ones around it; each is rejected
// with its line and a reason.
func TestBadRecords(t *testing.T) {
	cases := []struct {
		file        string
		wantActions []string
		wantErrors  []audit.RecordError // line and a part of the message
	}{
		{"mixed.ndjson", []string{"one", "three", "five"}, []audit.RecordError{
			{Line: 2, Message: "truncated"},
			{Line: 4, Message: "not a JSON record"},
			{Line: 5, Message: "truncated"},
			{Line: 6, Message: "no usable time"},
		}},
		{"wrong-fields.csv", []string{"one", "three"}, []audit.RecordError{
			{Line: 3, Message: "row has 4 fields, the header has 3"},
		}},
		{"empty.json", nil, []audit.RecordError{{Line: 0, Message: "empty file"}}},
		{"array-truncated.json", []string{"one", "three"}, []audit.RecordError{{Line: 3, Message: "truncated"}}},
		{"binary.bin", nil, []audit.RecordError{{Line: 0, Message: "binary file"}}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			h, errs := importPaths(t, Options{}, filepath.Join("testdata", "bad", c.file))
			if len(errs) > 0 {
				t.Fatalf("a file with bad records is still read: %v", errs)
			}
			src := h.sources[0]
			if got := actions(h.events); !reflect.DeepEqual(got, c.wantActions) {
				t.Errorf("kept %v, want %v", got, c.wantActions)
			}
			if src.Rejected != len(c.wantErrors) {
				t.Errorf("rejected %d, want %d: %v", src.Rejected, len(c.wantErrors), src.Errors)
			}
			for i, w := range c.wantErrors {
				if i >= len(src.Errors) {
					break
				}
				g := src.Errors[i]
				if g.Line != w.Line || !strings.Contains(g.Message, w.Message) {
					t.Errorf("error %d = %d: %s, want %d: …%s…", i, g.Line, g.Message, w.Line, w.Message)
				}
			}
		})
	}
}

func TestUnreadablePath(t *testing.T) {
	ok := filepath.Join("testdata", "formats", "github.ndjson")
	h, errs := importPaths(t, Options{}, filepath.Join(t.TempDir(), "missing.json"), ok)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "missing.json") {
		t.Fatalf("errors %v, want one naming missing.json", errs)
	}
	if len(h.events) != 2 {
		t.Fatalf("the readable path after it gave %d events, want 2", len(h.events))
	}
}

func TestForcedFormat(t *testing.T) {
	h, errs := importPaths(t, Options{Format: "generic"}, filepath.Join("testdata", "formats", "okta-array.json"))
	if len(errs) > 0 || len(h.events) != 2 || h.events[0].Format != "generic" {
		t.Fatalf("forced generic: %v %d events", errs, len(h.events))
	}
	if _, errs := importPaths(t, Options{Format: "nope"}, "x"); len(errs) != 1 || audit.ErrorCode(errs[0]) != audit.EINVALID {
		t.Fatalf("unknown format: %v", errs)
	}
}

func TestCSVRawKeepsTheRow(t *testing.T) {
	h, _ := importPaths(t, Options{}, filepath.Join("testdata", "formats", "generic.csv"))
	if len(h.events) != 2 {
		t.Fatalf("%d events", len(h.events))
	}
	if got := string(h.events[0].Raw); got != "2026-06-05 08:00:00,jack,report.export,192.0.2.30,\"line one\nline two\"" {
		t.Fatalf("raw row = %q", got)
	}
	if !h.events[0].TimeNoZone {
		t.Fatal("a time without zone is flagged")
	}
}

func TestCleanIP(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7:51234": "198.51.100.7", "[2001:db8::1]:443": "2001:db8::1", "2001:db8::1": "2001:db8::1",
		"198.51.100.7": "198.51.100.7", " 10.0.0.1 ": "10.0.0.1", "console.ec2.amazonaws.com": "console.ec2.amazonaws.com",
	} {
		if got := cleanIP(in); got != want {
			t.Errorf("cleanIP(%q) = %q, want %q", in, got, want)
		}
	}
}

// A time outside the years taken is said to be so, not "not a time".
func TestTimeOutOfRangeSaid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "far.ndjson")
	os.WriteFile(path, []byte(`{"time":"9999-12-31T23:59:59Z","user":"u","action":"far"}`+"\n"+
		`{"time":"1900-01-01","user":"u","action":"old"}`+"\n"+`{"time":"yesterday","user":"u","action":"vague"}`+"\n"), 0o644)
	h, _ := importPaths(t, Options{}, path)
	var got []string
	for _, e := range h.sources[0].Errors {
		got = append(got, e.Message)
	}
	if len(got) != 3 || !strings.Contains(got[0], `"9999-12-31T23:59:59Z" is outside the years 1971 to 2199`) ||
		!strings.Contains(got[1], "outside the years") || !strings.Contains(got[2], `"yesterday" is not a time`) {
		t.Fatalf("%q", got)
	}
}
