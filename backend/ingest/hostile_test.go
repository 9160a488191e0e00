package ingest

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

func write(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func rec(actor, action string) string {
	return `{"time":"2026-09-01T00:00:00Z","user":"` + actor + `","action":"` + action + `"}` + "\n"
}

// nestZip wraps data in depth zips.
func nestZip(t *testing.T, data []byte, depth int) []byte {
	for i := 0; i < depth; i++ {
		data = zipOf(t, map[string][]byte{"level.zip": data})
	}
	return data
}

func TestHostileInput(t *testing.T) {
	old := maxRecordBytes
	maxRecordBytes = 1 << 20 // a 1 MiB cap makes "a 1 GB line" cheap to test
	t.Cleanup(func() { maxRecordBytes = old })

	huge := `{"time":"2026-09-01T00:00:00Z","user":"x","action":"huge","pad":"` + strings.Repeat("A", 3<<20) + `"}` + "\n"
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	wide := strings.Repeat("c,", 99999) + "c\n" + strings.Repeat("v,", 99999) + "v\n"
	utf16le := func(s string) []byte {
		var b bytes.Buffer
		b.Write([]byte{0xFF, 0xFE})
		for _, u := range utf16.Encode([]rune(s)) {
			binary.Write(&b, binary.LittleEndian, u)
		}
		return b.Bytes()
	}
	var tarb bytes.Buffer
	tw := tar.NewWriter(&tarb)
	tw.WriteHeader(&tar.Header{Name: "dev/null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3})
	tw.WriteHeader(&tar.Header{Name: "passwd", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"})
	tw.WriteHeader(&tar.Header{Name: "hard", Typeflag: tar.TypeLink, Linkname: "passwd"})
	ok := []byte(rec("ok", "in.tar"))
	tw.WriteHeader(&tar.Header{Name: "ok.ndjson", Typeflag: tar.TypeReg, Size: int64(len(ok)), Mode: 0o644})
	tw.Write(ok)
	tw.Close()

	cases := []struct {
		name     string
		data     []byte
		actions  []string // the events kept
		rejected string   // a part of the rejection or failure, "" = none
		fails    bool     // the path counts as unreadable
	}{
		{"huge-line.ndjson", []byte(rec("a", "before") + huge + rec("a", "after")), []string{"before", "after"}, "larger than 1 MiB", false},
		{"deep.json", []byte(rec("a", "before") + deep + "\n" + rec("a", "after")), []string{"before", "after"}, "not", false},
		{"deep-object.json", []byte(`{"time":"2026-09-01T00:00:00Z","user":"a","action":"nest","x":` + strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000) + "}\n" + rec("a", "after")), []string{"after"}, "", false},
		{"wide.csv", []byte(wide), nil, "no usable time", false},
		{"long-line.csv", []byte("time,user,action\n" + strings.Repeat("x", 3<<20) + "\n"), nil, "longer than the record limit", false},
		{"invalid-utf8.ndjson", []byte(`{"time":"2026-09-01T00:00:00Z","user":"bad` + "\xff\xfe" + `name","action":"utf8"}` + "\n"), []string{"utf8"}, "", false},
		{"utf16.json", utf16le(rec("wide", "utf16") + rec("wide", "utf16.two")), []string{"utf16", "utf16.two"}, "", false},
		{"nul.log", []byte("type=X\x00\x00\x00 garbage"), nil, "binary file", false},
		{"dupkeys.ndjson", []byte(`{"time":"2026-09-01T00:00:00Z","user":"a","action":"first","action":"second"}` + "\n"), []string{"second"}, "", false},
		{"bignum.ndjson", []byte(`{"time":1e400,"user":"a","action":"x"}` + "\n" + `{"time":"2026-09-01T00:00:00Z","user":"a","action":"n","n":1e400,"m":123456789012345678901234567890}` + "\n"), []string{"n"}, "not a time", false},
		{"devices.tar", tarb.Bytes(), []string{"in.tar"}, "", false},
		{"nested20.zip", nestZip(t, []byte(rec("a", "deep.inside")), 20), []string{"deep.inside"}, "", false},
		{"nested40.zip", nestZip(t, []byte(rec("a", "too.deep")), 40), nil, "nested more than 32 deep", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, errs := importPaths(t, Options{}, write(t, c.name, c.data))
			if (len(errs) > 0) != c.fails {
				t.Fatalf("path errors %v, want failure %v", errs, c.fails)
			}
			if got := actions(h.events); strings.Join(got, ",") != strings.Join(c.actions, ",") {
				t.Errorf("kept %v, want %v", got, c.actions)
			}
			var said []string
			for _, s := range h.sources {
				for _, e := range s.Errors {
					said = append(said, e.Message)
				}
				if s.Failed != "" {
					said = append(said, s.Failed)
				}
			}
			for _, e := range errs {
				said = append(said, e.Error())
			}
			if c.rejected != "" && !strings.Contains(strings.Join(said, " | "), c.rejected) {
				t.Errorf("messages %q lack %q", said, c.rejected)
			}
		})
	}
}
