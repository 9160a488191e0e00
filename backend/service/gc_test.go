package service

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// gcSettings reads GOGC and the memory limit without changing them.
func gcSettings() (int, int64) {
	pct := debug.SetGCPercent(-1)
	debug.SetGCPercent(pct)
	return pct, debug.SetMemoryLimit(-1)
}

// Imports and rebuilds that overlap share the indexing settings; the last
// to end puts back what was there before the first.
func TestFastIndexGC(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set")
	}
	pct, limit := gcSettings()
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(indexHeapLimit + 80<<20)) // a limit set before comes back after
	r1 := fastIndexGC()
	if p, l := gcSettings(); p != indexGCPercent || l != indexHeapLimit {
		t.Fatalf("while indexing: GOGC %d, limit %d", p, l)
	}
	r2 := fastIndexGC()
	r1()
	r1() // once only
	if p, l := gcSettings(); p != indexGCPercent || l != indexHeapLimit {
		t.Fatalf("while one still indexes: GOGC %d, limit %d", p, l)
	}
	r2()
	if p, l := gcSettings(); p != pct || l != indexHeapLimit+80<<20 {
		t.Fatalf("after: GOGC %d, limit %d; before: %d, %d", p, l, pct, limit)
	}
	debug.SetMemoryLimit(100 << 20)
	r3 := fastIndexGC()
	if _, l := gcSettings(); l != 100<<20 {
		t.Errorf("a lower limit was raised to %d", l)
	}
	r3()
	// A setting the user made is theirs.
	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	r4 := fastIndexGC()
	if p, _ := gcSettings(); p != 150 {
		t.Errorf("GOGC=150 became %d", p)
	}
	r4()
	debug.SetGCPercent(pct)
}

// An import runs with the indexing settings and puts them back.
func TestImportIndexesWithFastGC(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set")
	}
	c := openTemp(t)
	p := filepath.Join(t.TempDir(), "a.ndjson")
	os.WriteFile(p, []byte(`{"time":"2026-01-01T00:00:00Z","user":"u","action":"a"}`+"\n"), 0o644)
	pct, _ := gcSettings()
	during := 0
	if _, err := c.Import([]string{p}, ImportOptions{Progress: func(ImportProgress) { during, _ = gcSettings() }}); err != nil {
		t.Fatal(err)
	}
	if after, _ := gcSettings(); during != indexGCPercent || after != pct {
		t.Errorf("GOGC during the import %d, after %d (before %d)", during, after, pct)
	}
}
