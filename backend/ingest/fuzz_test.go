package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"auditlens/backend/audit"
)

// seeds adds the project's own test files to a fuzz corpus.
func seeds(f *testing.F, globs ...string) {
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 1<<20 {
				f.Add(b)
			}
		}
	}
}

// mapAll reads data as a source of kind k and maps every record with the
// detected format, the way an import does, checking invariants.
func mapAll(t *testing.T, data []byte) {
	st := &sourceState{im: &importer{h: &nopHandler{}}, src: &audit.Source{}, counts: map[string]int{}}
	k := sniff(data)
	var err error
	switch k {
	case kindJSON:
		err = readJSON(bytes.NewReader(data), st.record)
	case kindCSV:
		err = readCSV(bytes.NewReader(data), st.record)
	}
	if err != nil {
		t.Fatalf("a reader returned %v instead of rejecting records", err)
	}
	for _, e := range st.src.Errors {
		if e.Message == "" {
			t.Fatal("a rejection without a reason")
		}
	}
}

// FuzzImport: format detection and every mapping over arbitrary JSON/CSV.
func FuzzImport(f *testing.F) {
	seeds(f, "testdata/formats/*", "testdata/bad/*", "testdata/usermapping/*.ndjson")
	f.Add([]byte(`{"Records":[{"eventTime":"2026-01-01T00:00:00Z","eventName":"x","eventSource":"s"}]}`))
	f.Add([]byte(`[{"_raw":"{\"published\":\"2026-01-01T00:00:00Z\",\"eventType\":\"a\",\"actor\":{}}"}]`))
	f.Fuzz(func(t *testing.T, data []byte) { mapAll(t, data) })
}

// FuzzSplitJSON: the splitter never loses bytes of a good record and never
// panics, and reads a line taken whole as it reads it byte by byte.
func FuzzSplitJSON(f *testing.F) {
	seeds(f, "testdata/formats/*.json", "testdata/formats/*.ndjson", "testdata/bad/*.ndjson")
	f.Fuzz(func(t *testing.T, data []byte) {
		readJSON(bytes.NewReader(data), func(r Record) error {
			if r.Err == nil && !bytes.Contains(data, r.Raw) {
				t.Fatalf("record %q is not in the input", r.Raw)
			}
			return nil
		})
		splitBothWays(t, "the input", data)
	})
}

// FuzzReadCSV: rows are read or rejected, never a panic.
func FuzzReadCSV(f *testing.F) {
	seeds(f, "testdata/formats/*.csv", "testdata/bad/*.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		readCSV(bytes.NewReader(data), func(Record) error { return nil })
	})
}

// FuzzParseTime: any text or number, a time in range or no time.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-01-02T03:04:05Z", "1583364251067", "2022-02-08 09:23:37+11:00", "1/2/2006 3:04:05 PM", "1652292621.986", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, _, ok := parseTime(s); ok && (tm.Before(minTime) || !tm.Before(maxTime)) {
			t.Fatalf("%q gave %s, out of range", s, tm)
		}
	})
}

// FuzzPyLiteral and paths: the decoders of embedded values.
func FuzzPyLiteral(f *testing.F) {
	f.Add("{'type': 'AWSAccount', 'principalId': '', 'n': [1, True, None, ('a',)]}")
	f.Fuzz(func(t *testing.T, s string) {
		parsePyLiteral(s)
		decodeEmbedded(s)
		getAll(map[string]any{"a": s}, parsePath("a.b[x=y].0.c"), nil)
	})
}
