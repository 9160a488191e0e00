package store

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// A case's first import loads its events without the term indexes, then
// builds them: the same indexes (names, columns) a new case has, with their
// pages filled, where grown row by row from a file running newest first
// they are left about half full. Queries answer alike meanwhile. A case
// holding events keeps its indexes.
func TestBulkLoadBuildsTheTermIndexes(t *testing.T) {
	dir := t.TempDir()
	s := open(t, filepath.Join(dir, "bulk.db"))
	defer s.Close()
	live := open(t, filepath.Join(dir, "live.db"))
	defer live.Close()
	want := termIndexShapes(t, live)
	if len(want) != len(TermFields) {
		t.Fatalf("a new case's term indexes: %v", want)
	}
	bulk, err := s.BeginBulkLoad()
	if err != nil || !bulk {
		t.Fatal(bulk, err)
	}
	if got := termIndexShapes(t, s); len(got) != 0 {
		t.Fatalf("left during the load: %v", got)
	}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	newestFirst := func(i int) time.Time { return base.Add(-time.Duration(i) * time.Second) }
	for _, st := range []*Store{s, live} {
		src := newSource(t, st, "/evidence/newest-first.json")
		for from := 0; from < 30000; from += 1000 {
			insertTestEvents(t, st, src.ID, from, from+1000, newestFirst, func(i int) string { return []string{"success", "failure"}[i%2] })
		}
	}
	counts := func(st *Store) []uint64 {
		var out []uint64
		for _, f := range []*Filter{{Op: OpTerm, Field: "category", Value: "alert"}, {Op: OpTerm, Field: "actor.email", Value: "user3@x.io"}} {
			x, err := st.Select(Selection{Filter: f, From: base.Add(-5 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			n, err := x.Count()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		return out
	}
	if a, b := counts(s), counts(live); !slices.Equal(a, b) {
		t.Fatalf("without the indexes %v, with them %v", a, b)
	}
	if err := s.EnsureTermIndexes(); err != nil {
		t.Fatal(err)
	}
	if got := termIndexShapes(t, s); !slices.Equal(got, want) {
		t.Fatalf("built:\n%v\nas a new case has them:\n%v", got, want)
	}
	var cache int
	if err := s.w.QueryRow(`PRAGMA cache_size`).Scan(&cache); err != nil || cache != -writerCacheKiB {
		t.Fatalf("the writer's page cache after the build: %d (%v)", cache, err)
	}
	for _, f := range TermFields {
		name, _ := termIndex(f)
		built, grown := fill(t, s, name), fill(t, live, name)
		if built < 0.95 {
			t.Errorf("%s built %.0f%% full", name, 100*built)
		}
		t.Logf("%s: built %.0f%% full, grown newest first %.0f%%", name, 100*built, 100*grown)
	}
	if a, b := counts(s), counts(live); !slices.Equal(a, b) {
		t.Fatalf("built %v, grown %v", a, b)
	}
	if bulk, err := s.BeginBulkLoad(); err != nil || bulk {
		t.Fatalf("a case holding events: %v %v", bulk, err)
	}
	if got := termIndexShapes(t, s); !slices.Equal(got, want) {
		t.Fatalf("after a second import began: %v", got)
	}
}

// termIndexShapes are the term indexes of s: name and columns.
func termIndexShapes(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	for _, f := range TermFields {
		name, _ := termIndex(f)
		rows, err := s.r.Query(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, name)
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		err = eachRow(rows, nil, func() error {
			var c string
			cols = append(cols, c)
			return rows.Scan(&cols[len(cols)-1])
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(cols) > 0 {
			out = append(out, fmt.Sprint(name, cols))
		}
	}
	return out
}

// fill is how full the pages of a table or index are.
func fill(t *testing.T, s *Store, name string) float64 {
	t.Helper()
	var f float64
	if err := s.r.QueryRow(`SELECT 1.0 * sum(pgsize - unused) / sum(pgsize) FROM dbstat WHERE name = ?`, name).Scan(&f); err != nil {
		t.Fatal(err)
	}
	return f
}
