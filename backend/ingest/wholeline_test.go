package ingest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// splitBothWays reads data with whole lines taken at once and byte by byte,
// and fails unless the records (bytes, line, fields, error) are the same.
func splitBothWays(t *testing.T, name string, data []byte) int {
	t.Helper()
	read := func(whole bool) (out []Record, err error) {
		defer func(w bool) { wholeLines = w }(wholeLines)
		wholeLines = whole
		err = readJSON(bytes.NewReader(data), func(r Record) error {
			out = append(out, r)
			return nil
		})
		return out, err
	}
	fast, errFast := read(true)
	slow, errSlow := read(false)
	if fmt.Sprint(errFast) != fmt.Sprint(errSlow) || len(fast) != len(slow) {
		t.Fatalf("%s: %d records (%v) whole lines, %d (%v) byte by byte", name, len(fast), errFast, len(slow), errSlow)
	}
	for i := range fast {
		a, b := fast[i], slow[i]
		if !bytes.Equal(a.Raw, b.Raw) || a.Line != b.Line || fmt.Sprint(a.Err) != fmt.Sprint(b.Err) || !reflect.DeepEqual(a.Fields, b.Fields) {
			t.Fatalf("%s, record %d:\nwhole lines  %d %q %v\nbyte by byte %d %q %v", name, i, a.Line, a.Raw, a.Err, b.Line, b.Raw, b.Err)
		}
	}
	return len(fast)
}

// Taking an NDJSON line whole (wholeLine) reads what reading it byte by
// byte does: over the project's test files, the shared corpus's JSON
// files, and lines made to tell the two apart.
func TestWholeLinesReadAsBytes(t *testing.T) {
	var files []string
	for _, g := range []string{"testdata/formats/*", "testdata/bad/*", "testdata/usermapping/*", "testdata/golden/*"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if d := corpusDir(t); d != "" { // (its count of records below is the corpus's)
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.Contains(".json .ndjson .jsonl ", filepath.Ext(p)+" ") {
				files = append(files, p)
			}
			return nil
		})
	}
	records := 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil || sniff(data) != kindJSON {
			continue
		}
		records += splitBothWays(t, p, data)
	}
	if records < 250 {
		t.Fatalf("only %d records in %d files", records, len(files))
	}
	defer func(n int) { maxRecordBytes = n }(maxRecordBytes)
	long := `{"time":"2026-01-01T00:00:00Z","pad":"` + strings.Repeat("x", 300<<10) + `"}`
	cases := map[string]string{
		"crlf and spaces":      "{\"a\":1}  \r\n\t{\"b\":2}\r\n",
		"no final newline":     `{"a":1}` + "\n" + `{"b":2}`,
		"two on a line":        `{"a":1} {"b":2}` + "\n" + `{"c":3}` + "\n",
		"value after":          `{"a":1} 5` + "\n" + `{"c":3}` + "\n",
		"truncated":            `{"a":1,"b":` + "\n" + `{"c":3}` + "\n",
		"wrapper":              `{"data":[{"id":1},{"id":2}],"next":null}` + "\n" + `{"c":3}` + "\n",
		"wrapper twice":        `{"events":[{"id":1}],"events":"x"}` + "\n",
		"wrapper after id":     `{"id":"a","events":[{"type":"x"}]}` + "\n",
		"wrapper not an array": `{"value":"x","id":1}` + "\n",
		"bom":                  "\xEF\xBB\xBF{\"a\":1}\n{\"b\":2}\n",
		"not a record":         "hello\n{\"a\":1}\n[1]\n",
		"pretty":               "{\n  \"a\": 1,\n  \"b\": {\"c\": 2}\n}\n{\"d\":3}\n",
		"escapes":              `{"a":"q\"}\\","b":"\u00e9\n"}` + "\n",
		"past the buffer":      long + "\n" + `{"c":3}` + "\n",
		"numbers":              `{"n":12345678901234567890,"f":1.50}` + "\n",
		"not json inside":      `{"a":tru}` + "\n" + `{"a":true}` + "\n",
		"control character":    "{\"a\":\"x\ty\"}\n",
	}
	for name, data := range cases {
		splitBothWays(t, name, []byte(data))
	}
	maxRecordBytes = 16
	splitBothWays(t, "past maxRecordBytes", []byte(`{"a":"0123456789abcdef"}`+"\n"+`{"b":1}`+"\n"))
}

// BenchmarkSplitJSON reads 10,000 NDJSON records into records, decoded,
// with no mapping, each way: demo-shaped ones, and Google Workspace's, whose
// "events" key is a wrapper's (wholeLine leaves them to object(), and
// emitRaw takes the fields it decoded).
func BenchmarkSplitJSON(b *testing.B) {
	var demo bytes.Buffer
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&demo, `{"id":"evt_%d","timestamp":"2026-05-04T09:15:02.123Z","tenant":"acme-oncall","actor":{"id":"usr_1","type":"USER","name":"Alice Jones","email":"alice.jones@acme.io"},"action":"escalation_policy.updated","resource":{"type":"ESCALATION_POLICY","id":"ep_4","name":"Payments primary"},"result":"SUCCESS","client":{"ip":"203.0.113.24","userAgent":"Mozilla/5.0"},"sessionId":"ses_1","requestId":"req_%d","before":{"name":"Payments primary","repeat":1},"after":{"name":"Payments primary","repeat":2}}`+"\n", i, i)
	}
	ws, err := os.ReadFile("testdata/formats/workspace.ndjson")
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(ws), []byte("\n"))
	var workspace bytes.Buffer
	for i := 0; i < 10000; i++ {
		workspace.Write(lines[i%len(lines)])
		workspace.WriteByte('\n')
	}
	for _, data := range []struct {
		name string
		b    []byte
	}{{"demo", demo.Bytes()}, {"workspace", workspace.Bytes()}} {
		for _, whole := range []bool{true, false} {
			b.Run(fmt.Sprint(data.name, " whole lines ", whole), func(b *testing.B) {
				defer func(w bool) { wholeLines = w }(wholeLines)
				wholeLines = whole
				b.SetBytes(int64(len(data.b)))
				for i := 0; i < b.N; i++ {
					n := 0
					if err := readJSON(bytes.NewReader(data.b), func(Record) error { n++; return nil }); err != nil || n != 10000 {
						b.Fatal(err, n)
					}
				}
			})
		}
	}
}
