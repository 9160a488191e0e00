package cli

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/xuri/excelize/v2"
)

func TestVerifyAndLogCatchTampering(t *testing.T) {
	dir := t.TempDir()
	c := filepath.Join(dir, "case")
	a := filepath.Join(dir, "a.ndjson")
	b := filepath.Join(dir, "b.ndjson")
	os.WriteFile(a, []byte(`{"time":"2026-01-01T00:00:00Z","user":"u","action":"one"}`+"\n"+`{"time":"2026-01-01T00:00:01Z","user":"u","action":"two"}`+"\n"), 0o644)
	os.WriteFile(b, []byte(`{"time":"2026-01-02T00:00:00Z","user":"v","action":"three"}`+"\n"), 0o644)
	for _, f := range []string{a, b} { // one import, one block, each
		if r := run(t, "import", "--case", c, f); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	out := filepath.Join(dir, "r.xlsx")
	if r := run(t, "report", "--case", c, "--out", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := run(t, "verify", "--case", c, a, b); r.code != 0 || !strings.Contains(r.stdout, "all 2 sources intact") {
		t.Fatalf("fresh case: %d %s", r.code, r.stdout)
	}
	r := run(t, "log", "--case", c)
	if r.code != 0 || !strings.Contains(r.stdout, "chain intact: 4 entries") || !strings.Contains(r.stdout, "import") || !strings.Contains(r.stdout, "report") {
		t.Fatalf("log: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// the report cites the log
	book, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("Summary")
	book.Close()
	cited := false
	for _, row := range rows {
		if len(row) > 2 && row[1] == "Activity log" && strings.HasPrefix(row[2], "entry #3, ") {
			cited = true
		}
	}
	if !cited {
		t.Fatalf("the Summary does not cite the activity log: %v", rows)
	}

	// Tamper: one raw record edited, one event's stored fields cut, one
	// activity row edited, one file changed.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(c, "case.db"))
	if err != nil {
		t.Fatal(err)
	}
	// a.ndjson's events are the first block: its frame is decompressed, a
	// record edited (same length) and the frame compressed again, with a
	// checksum that holds.
	var id, other string
	db.QueryRow(`SELECT id FROM events WHERE seq = 2`).Scan(&id) // records in file order
	db.QueryRow(`SELECT id FROM events WHERE seq = 1`).Scan(&other)
	var raw []byte
	var compressed bool
	if err := db.QueryRow(`SELECT content, zstd FROM raw_blocks WHERE first_seq = 1 AND n = 2`).Scan(&raw, &compressed); err != nil {
		t.Fatal(err)
	}
	if compressed {
		d, _ := zstd.NewReader(nil)
		if raw, err = d.DecodeAll(raw, nil); err != nil {
			t.Fatal(err)
		}
	}
	edited := strings.Replace(string(raw), `"u","action":"two"`, `"m","action":"two"`, 1)
	if edited == string(raw) {
		t.Fatalf("record two not found in %q", raw)
	}
	if compressed {
		e, _ := zstd.NewWriter(nil, zstd.WithEncoderCRC(true))
		raw = e.EncodeAll([]byte(edited), nil)
	} else {
		raw = []byte(edited)
	}
	if _, err := db.Exec(`UPDATE raw_blocks SET content = ? WHERE first_seq = 1`, raw); err != nil {
		t.Fatal(err)
	}
	// and the block's details lose their last two bytes: both events' stored
	// fields no longer decode
	if _, err := db.Exec(`UPDATE detail_blocks SET content = substr(content, 1, length(content) - 2) WHERE first_seq = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE activity SET detail = replace(detail, '"events":2', '"events":3') WHERE kind = 'import'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	os.WriteFile(b, []byte(`{"time":"2026-01-02T00:00:00Z","user":"v","action":"changed"}`+"\n"), 0o644)

	r = run(t, "verify", "--case", c, "--json", a, b)
	var v struct {
		Intact  bool `json:"intact"`
		Sources []struct {
			Source  struct{ Path string }
			State   string   `json:"state"`
			Altered []string `json:"altered"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != 1 || v.Intact {
		t.Fatalf("verify after tampering: exit %d %v %s", r.code, err, r.stdout)
	}
	states := map[string]string{}
	for _, s := range v.Sources {
		states[filepath.Base(s.Source.Path)] = s.State
		if filepath.Base(s.Source.Path) == "a.ndjson" && strings.Join(s.Altered, " ") != id+" "+other {
			t.Errorf("altered events %v, want [%s %s]", s.Altered, id, other)
		}
	}
	if states["a.ndjson"] != "altered" || states["b.ndjson"] != "differs" {
		t.Fatalf("states %v", states)
	}
	if r := run(t, "verify", "--case", c); !strings.Contains(r.stdout, "1 stored records no longer match their hash; the stored fields of 2 events no longer decode") {
		t.Errorf("verify says: %s", r.stdout)
	}
	os.Remove(b)
	if r := run(t, "verify", "--case", c, b); !strings.Contains(r.stdout, "missing") {
		t.Fatalf("a removed file: %s", r.stdout)
	}
	r = run(t, "log", "--case", c)
	if r.code != 1 || !strings.Contains(r.stderr, "broken at entry #2") {
		t.Fatalf("log after an edit: %d %s", r.code, r.stderr)
	}
}

// The log's line of an export says its whole query, range included, and
// no hash where none was taken (written to stdout).
func TestLogSaysTheRangeOfAnExport(t *testing.T) {
	c := filepath.Join(t.TempDir(), "case")
	if r := run(t, "demo", "--case", c, "--events", "50", "--seed", "3"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := run(t, "export", "--case", c, "--format", "csv", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "-"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := run(t, "log", "--case", c)
	if !strings.Contains(r.stdout, `- (query "", from 2026-01-01T00:00:00Z, before 2027-01-01T00:00:00Z, `) || strings.Contains(r.stdout, "<nil>") {
		t.Errorf("log:\n%s", r.stdout)
	}
}

// An export or report to a folder is refused before any work, in words.
func TestWriteToAFolderRefused(t *testing.T) {
	dir := t.TempDir()
	c := filepath.Join(dir, "case")
	if r := run(t, "demo", "--case", c, "--events", "20", "--seed", "3"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, args := range [][]string{{"export", "--format", "csv"}, {"report"}} {
		r := run(t, append(append([]string{args[0], "--case", c}, args[1:]...), "--out", dir)...)
		if r.code == 0 || !strings.Contains(r.stderr, dir+" is a folder: name the file to write") {
			t.Errorf("%s to a folder: exit %d, %s", args[0], r.code, r.stderr)
		}
	}
}
