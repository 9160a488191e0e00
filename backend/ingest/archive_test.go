package ingest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

func ndjson(actor string, n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"time":"2026-08-01T00:%02d:%02dZ","user":%q,"action":"act.%d"}`+"\n", i/60%60, i%60, actor, i)
	}
	return b.Bytes()
}

func zipOf(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(members))
	for n := range members {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(members[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tarGzOf(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(members))
	for n := range members {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(members[n])), Typeflag: tar.TypeReg})
		tw.Write(members[n])
	}
	// a symlink pointing outside: never followed
	tw.WriteHeader(&tar.Header{Name: "link", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink})
	tw.Close()
	gz.Close()
	return b.Bytes()
}

func gzOf(data []byte) []byte {
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	gz.Write(data)
	gz.Close()
	return b.Bytes()
}

// Archives in archives are read to the leaves; member names are only names.
func TestNestedArchives(t *testing.T) {
	dir := t.TempDir()
	inner := zipOf(t, map[string][]byte{
		"a.ndjson":          ndjson("alice", 3),
		"../../evil.ndjson": ndjson("mallory", 2),
		"/abs/path.json":    ndjson("abs", 1),
	})
	outer := tarGzOf(t, map[string][]byte{
		"logs/inner.zip":   inner,
		"logs/b.ndjson.gz": gzOf(ndjson("bob", 4)),
		"logs/readme.txt":  []byte("just some notes\nnothing here\n"),
		"logs/c.ndjson":    ndjson("carol", 2),
	})
	path := filepath.Join(dir, "export.tar.gz")
	if err := os.WriteFile(path, outer, 0o644); err != nil {
		t.Fatal(err)
	}
	h, errs := importPaths(t, Options{}, path)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(h.events) != 3+2+1+4+2 {
		t.Fatalf("%d events, want 12", len(h.events))
	}
	members := map[string]string{}
	for _, s := range h.sources {
		members[s.Member] = s.Format
		if s.Path != path {
			t.Errorf("member %q has path %q, want the archive's", s.Member, s.Path)
		}
	}
	for m, f := range map[string]string{
		"":                                   "gzip",
		"export.tar":                         "tar",
		"export.tar/logs/inner.zip":          "zip",
		"export.tar/logs/inner.zip/a.ndjson": "generic",
		"export.tar/logs/inner.zip/../../evil.ndjson": "generic",
		"export.tar/logs/inner.zip/abs/path.json":     "generic",
		"export.tar/logs/b.ndjson.gz":                 "gzip",
		"export.tar/logs/b.ndjson.gz/b.ndjson":        "generic",
		"export.tar/logs/c.ndjson":                    "generic",
		"export.tar/logs/readme.txt":                  "none",
	} {
		if got, ok := members[m]; !ok || got != f {
			t.Errorf("member %q: format %q (present %v), want %q; all: %v", m, got, ok, f, members)
		}
	}
	// The outer source's hash is the file's own.
	sum := sha256.Sum256(outer)
	if h.sources[0].SHA256 != hex.EncodeToString(sum[:]) || h.sources[0].Size != int64(len(outer)) {
		t.Errorf("archive hash %s size %d, want the file's", h.sources[0].SHA256, h.sources[0].Size)
	}
	// A member's hash is the hash of its content.
	want := sha256.Sum256(ndjson("carol", 2))
	for _, s := range h.sources {
		if s.Member == "export.tar/logs/c.ndjson" && s.SHA256 != hex.EncodeToString(want[:]) {
			t.Errorf("member hash %s, want %x", s.SHA256, want)
		}
	}
	// Nothing was written where the members' names point.
	for _, p := range []string{filepath.Join(dir, "..", "evil.ndjson"), filepath.Join(dir, "evil.ndjson"), "/abs/path.json"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s exists: an archive member was written to the path it names", p)
		}
	}
}

// An archive that expands far past its size stops with a clear error; what
// was read before stays.
func TestExpansionLimit(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte(`{"time":"2026-08-01T00:00:00Z","user":"z","action":"same"}`+"\n"), 200000) // ~11 MiB, compresses ~400x
	path := filepath.Join(dir, "bomb.zip")
	os.WriteFile(path, zipOf(t, map[string][]byte{"a.ndjson": ndjson("ok", 5), "b.ndjson": big}), 0o644)
	h, errs := importPaths(t, Options{MinExpandBytes: 1 << 20}, path)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "expands past") {
		t.Fatalf("errors %v, want one saying the archive expands past its limit", errs)
	}
	if len(h.events) < 5 {
		t.Fatalf("the member before the limit was lost: %d events", len(h.events))
	}
}

// A zip member whose declared size is already past the budget is refused
// before it is read.
func TestZipDeclaredSizePastLimit(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0"), 8<<20)
	path := filepath.Join(dir, "declared.zip")
	os.WriteFile(path, zipOf(t, map[string][]byte{"zeros.json": big}), 0o644)
	_, errs := importPaths(t, Options{MinExpandBytes: 1 << 20}, path)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "expands past") {
		t.Fatalf("errors %v", errs)
	}
}

func TestFolderRecursive(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755)
	os.WriteFile(filepath.Join(dir, "a", "one.ndjson"), ndjson("x", 2), 0o644)
	os.WriteFile(filepath.Join(dir, "a", "b", "two.json.gz"), gzOf(ndjson("y", 3)), 0o644)
	h, errs := importPaths(t, Options{}, dir)
	if len(errs) > 0 || len(h.events) != 5 {
		t.Fatalf("%v, %d events", errs, len(h.events))
	}
}

// A gzip stream has no declared size: the count of bytes read stops it.
func TestGzipExpansionLimit(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte(`{"time":"2026-08-01T00:00:00Z","user":"z","action":"same"}`+"\n"), 200000)
	path := filepath.Join(dir, "bomb.ndjson.gz")
	os.WriteFile(path, gzOf(big), 0o644)
	h, errs := importPaths(t, Options{MinExpandBytes: 1 << 20}, path)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "expands past") {
		t.Fatalf("errors %v, want one saying the archive expands past its limit", errs)
	}
	if len(h.events) != 1 { // every line is the same record: one event, the rest duplicates
		t.Fatalf("%d events", len(h.events))
	}
}

// An encrypted zip member is said to be so, once, and nothing of it is
// read or rejected; the members beside it are read.
func TestEncryptedZipMember(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("plain.ndjson")
	w.Write(ndjson("ok", 3))
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "secret.ndjson", Method: zip.Deflate, Flags: 0x1})
	w.Write([]byte("\x8f\x02 ciphertext, as far as a reader knows\n"))
	zw.Close()
	path := filepath.Join(t.TempDir(), "enc.zip")
	os.WriteFile(path, b.Bytes(), 0o644)
	h, errs := importPaths(t, Options{}, path)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "secret.ndjson: it is encrypted (password-protected): not read") {
		t.Fatalf("errors %v", errs)
	}
	if len(h.events) != 3 {
		t.Fatalf("%d events", len(h.events))
	}
	for _, s := range h.sources {
		if s.Rejected != 0 || (s.Member == "plain.ndjson" && s.Failed != "") || (s.Member == "secret.ndjson" && !strings.Contains(s.Failed, "encrypted")) {
			t.Errorf("source %s: %d rejected, failed %q", s.Name(), s.Rejected, s.Failed)
		}
	}
}

// A path that names a pipe or a device is refused, not read: a pipe
// blocked the import at its opening and /dev/zero never ended.
func TestSpecialFilesRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	for path, kind := range map[string]string{fifo: "a named pipe", "/dev/zero": "a device"} {
		h, errs := importPaths(t, Options{}, path)
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "not a regular file ("+kind+")") || len(h.sources) != 0 {
			t.Errorf("%s: %v, %d sources", path, errs, len(h.sources))
		}
	}
}
