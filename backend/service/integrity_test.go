package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A source an import was stopped in keeps the hash of what it read: verify
// compares the file's start with it, so a change there is found, one past
// it is not the stopped import's to judge, and a file gone is missing.
func TestVerifyComparesWhatAStoppedImportRead(t *testing.T) {
	c := openTemp(t)
	f := filepath.Join(t.TempDir(), "big.ndjson")
	var b strings.Builder
	for i := range 30000 {
		fmt.Fprintf(&b, `{"time":"2026-01-01T00:%02d:%02dZ","user":"u%d","action":"a.b","message":"%s"}`+"\n", i/60%60, i%60, i, strings.Repeat("x", 40))
	}
	data := []byte(b.String())
	os.WriteFile(f, data, 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := c.Import([]string{f}, ImportOptions{Context: ctx, Progress: func(ImportProgress) { cancel() }}); err == nil {
		t.Fatal("the import was not stopped")
	}
	verdict := func() SourceVerdict {
		t.Helper()
		vs, err := c.Verify([]string{f})
		if err != nil || len(vs) != 1 {
			t.Fatalf("%v %+v", err, vs)
		}
		return vs[0]
	}
	v := verdict()
	read := v.Source.Size
	if v.State != "intact" || read <= 0 || read >= int64(len(data)) || !strings.Contains(v.Reason, fmt.Sprintf("its first %d bytes", read)) {
		t.Fatalf("after the stop: %+v", v)
	}
	changed := append([]byte(nil), data...)
	changed[len(changed)-2] = 'y' // past what was read
	os.WriteFile(f, changed, 0o644)
	if v := verdict(); v.State != "intact" {
		t.Fatalf("a change past what was read: %+v", v)
	}
	changed[read/2] = '#' // inside it
	os.WriteFile(f, changed, 0o644)
	if v := verdict(); v.State != "differs" || !strings.Contains(v.Reason, "an import stopped in it read") {
		t.Fatalf("a change inside what was read: %+v", v)
	}
	os.Remove(f)
	if v := verdict(); v.State != "missing" {
		t.Fatalf("the file removed: %+v", v)
	}
}
