package ingest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"auditlens/backend/audit"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// goldenEvent is what the golden files hold of an event: every normalized
// field, but not the raw record (it is the input) nor the source id.
type goldenEvent struct {
	audit.Event
	Raw    any `json:"raw,omitempty"`
	Source any `json:"source,omitempty"`
}

// TestGolden maps every file of testdata/formats (written by the project) and
// compares the events with testdata/golden/NAME.json; -update rewrites them.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/formats/*")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			h, errs := importPaths(t, Options{}, f)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var out []goldenEvent
			for _, s := range h.sources {
				if s.Rejected > 0 {
					t.Errorf("%s: rejected %v", f, s.Errors)
				}
				for _, ev := range h.bySrc[s] {
					out = append(out, goldenEvent{Event: *ev})
				}
			}
			if len(out) == 0 {
				t.Fatal("no events")
			}
			got, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", filepath.Base(f)+".json")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("events differ from %s (run go test ./backend/ingest -run TestGolden -update and review the diff)\ngot:\n%s", golden, got)
			}
		})
	}
}
