package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"auditlens/backend/audit"
)

// A pass over every event (a reindex) reads through a small page cache of
// its own, and gives its connection back to the readers with their cache.
func TestEachAfterGivesBackTheReadersCache(t *testing.T) {
	s, err := OpenWith(filepath.Join(t.TempDir(), "case.db"), Options{ReaderCache: 12345})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	src := newSource(t, s, "/evidence/c.json")
	b, err := s.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		ev := &audit.Event{ID: fmt.Sprint("e", i), Time: time.Unix(int64(i), 0), Format: "generic",
			Source: audit.SourceRef{ID: src.ID}, Action: "act", Raw: audit.RawRecord(fmt.Sprintf(`{"i":%d}`, i))}
		if _, err := b.Insert(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	s.r.SetMaxOpenConns(1) // the pass's connection is the one asked after
	cache := func() (kib int) {
		if err := s.r.QueryRow(`PRAGMA cache_size`).Scan(&kib); err != nil {
			t.Fatal(err)
		}
		return -kib
	}
	if got := cache(); got != 12345 {
		t.Fatalf("a reader's cache is %d KiB, want the option's 12345", got)
	}
	n := 0
	if err := s.EachAfter(t.Context(), 10, func(seq int64, ev *audit.Event) error {
		if n++; seq != int64(10+n) || ev.ID != fmt.Sprint("e", 9+n) {
			return fmt.Errorf("event %d: seq %d, id %s", n, seq, ev.ID)
		}
		return nil
	}); err != nil || n != 40 {
		t.Fatalf("%d events, %v", n, err)
	}
	if got := cache(); got != 12345 {
		t.Fatalf("after the pass a reader's cache is %d KiB, want 12345", got)
	}
}
