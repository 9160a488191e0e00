package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
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
	if err := s.EnsureIndexes(); err != nil {
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

// A first import loads without the unique index of ids (events_id) and
// rejects a duplicate by the ids it loaded: within a batch, across
// batches, for ids of any form; a batch rolled back forgets its ids. The
// index built at the end (or once the ids reach bulkIDsCap, the term
// indexes still left for the end) rejects them as before.
func TestBulkLoadRejectsDuplicatesByTheIDsLoaded(t *testing.T) {
	defer func(n int) { bulkIDsCap = n }(bulkIDsCap)
	for _, c := range []struct {
		name string
		cap  int
	}{{"built at the end", 1 << 21}, {"built at the cap", 5}} {
		t.Run(c.name, func(t *testing.T) {
			bulkIDsCap = c.cap
			s := open(t, filepath.Join(t.TempDir(), "case.db"))
			defer s.Close()
			src := newSource(t, s, "/evidence/dups.json")
			if bulk, err := s.BeginBulkLoad(); err != nil || !bulk {
				t.Fatal(bulk, err)
			}
			if m, err := s.MissingIndexes(); err != nil || len(m) != 1+len(TermFields) || m[0] != idIndex {
				t.Fatalf("missing during the load: %v %v", m, err)
			}
			hexID := func(i int) string { return fmt.Sprintf("%032x", i) }
			batch := func(ids []string, commit bool) (stored []string) {
				t.Helper()
				b, err := s.BeginBatch()
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range ids {
					seq, err := b.Insert(&audit.Event{ID: id, Time: time.Unix(1e9, 0), Format: "generic",
						Source: audit.SourceRef{ID: src.ID}, Category: "access", Action: "login", Raw: audit.RawRecord(`{"id":"` + id + `"}`)})
					if err != nil {
						t.Fatal(err)
					}
					if seq != 0 {
						stored = append(stored, id)
					}
				}
				if commit {
					err = b.Commit()
				} else {
					err = b.Rollback()
				}
				if err != nil {
					t.Fatal(err)
				}
				return stored
			}
			check := func(got []string, want ...string) {
				t.Helper()
				if !slices.Equal(got, want) {
					t.Fatalf("stored %q, want %q", got, want)
				}
			}
			check(batch([]string{hexID(1), hexID(2), hexID(1), "e-1", "e-1", "E-1"}, true), hexID(1), hexID(2), "e-1", "E-1")
			check(batch([]string{hexID(3), "e-2", hexID(2)}, false), hexID(3), "e-2")
			upper := strings.ToUpper(hexID(10))
			check(batch([]string{hexID(3), "e-2", "e-1", upper, hexID(10), hexID(1)}, true), hexID(3), "e-2", upper, hexID(10))
			m, err := s.MissingIndexes()
			if err != nil {
				t.Fatal(err)
			}
			if c.cap < 1<<21 {
				// The ids reached the cap: the next batch builds the index
				// first, and leaves the term indexes to the end.
				check(batch([]string{hexID(2), hexID(4)}, true), hexID(4))
				if m, err = s.MissingIndexes(); err != nil || len(m) != len(TermFields) || slices.Contains(m, idIndex) || s.bulk != nil {
					t.Fatalf("missing after the cap: %v %v", m, err)
				}
			} else if len(m) != 1+len(TermFields) {
				t.Fatalf("missing: %v", m)
			}
			if err := s.EnsureIndexes(); err != nil {
				t.Fatal(err)
			}
			if m, err := s.MissingIndexes(); err != nil || len(m) != 0 || s.bulk != nil {
				t.Fatalf("missing after the load: %v %v", m, err)
			}
			var unique bool
			if err := s.r.QueryRow(`SELECT "unique" FROM pragma_index_list('events') WHERE name = ?`, idIndex).Scan(&unique); err != nil || !unique {
				t.Fatalf("%s unique: %v %v", idIndex, unique, err)
			}
			check(batch([]string{hexID(1), "e-1", upper, hexID(5)}, true), hexID(5))
			var n, distinct int
			if err := s.r.QueryRow(`SELECT count(*), count(DISTINCT id) FROM events`).Scan(&n, &distinct); err != nil || n != distinct {
				t.Fatalf("%d events, %d ids (%v)", n, distinct, err)
			}
		})
	}
}

// Migration 0014 makes the events table of a case with no events again,
// its columns as they were and its unique index of ids named events_id; a
// case holding events keeps its table and SQLite's automatic index, which
// rejects duplicates alike, and never loads in bulk.
func TestUniqueIndexOfIDsMigration(t *testing.T) {
	dir := t.TempDir()
	shape := func(db interface {
		Query(string, ...any) (*sql.Rows, error)
	}) (cols, idx []string) {
		t.Helper()
		rows, err := db.Query(`SELECT cid, name, type, "notnull", coalesce(dflt_value, ''), pk FROM pragma_table_info('events')`)
		err = eachRow(rows, err, func() error {
			var cid, notnull, pk int
			var name, typ, dflt string
			err := rows.Scan(&cid, &name, &typ, &notnull, &dflt, &pk)
			cols = append(cols, fmt.Sprint(cid, name, typ, notnull, dflt, pk))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rows, err = db.Query(`SELECT l.name, l."unique", group_concat(i.name) FROM pragma_index_list('events') l, pragma_index_info(l.name) i GROUP BY l.name ORDER BY l.name`)
		err = eachRow(rows, err, func() error {
			var name, on string
			var unique int
			err := rows.Scan(&name, &unique, &on)
			idx = append(idx, fmt.Sprint(name, unique, on))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return cols, idx
	}
	older := func(name string, events int) string {
		t.Helper()
		path := filepath.Join(dir, name)
		db, err := sql.Open("sqlite", dsn(path, false, 0))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := migrateThrough(db, "0013_term_pairs"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO sources(path, imported_at) VALUES('/x', 0)`); err != nil {
			t.Fatal(err)
		}
		for i := range events {
			if _, err := db.Exec(`INSERT INTO events(id, time_ns, format, source_id, category, action, outcome, raw) VALUES(?, ?, 'generic', 1, 'access', 'login', 'success', X'')`, fmt.Sprint("e", i), i); err != nil {
				t.Fatal(err)
			}
		}
		return path
	}
	before, err := sql.Open("sqlite", dsn(older("before.db", 0), false, 0))
	if err != nil {
		t.Fatal(err)
	}
	oldCols, oldIdx := shape(before)
	before.Close()
	if !slices.Contains(oldIdx, "sqlite_autoindex_events_11id") {
		t.Fatalf("indexes before 0014: %v", oldIdx)
	}

	empty := open(t, older("empty.db", 0))
	defer empty.Close()
	cols, idx := shape(empty.w)
	wantIdx := slices.Clone(oldIdx)
	wantIdx[slices.Index(wantIdx, "sqlite_autoindex_events_11id")] = "events_id1id"
	slices.Sort(wantIdx)
	if !slices.Equal(cols, oldCols) || !slices.Equal(idx, wantIdx) {
		t.Fatalf("made again:\n%v\n%v\nwant\n%v\n%v", cols, idx, oldCols, wantIdx)
	}
	fresh := open(t, filepath.Join(dir, "new.db"))
	defer fresh.Close()
	if c, i := shape(fresh.w); !slices.Equal(c, cols) || !slices.Equal(i, idx) {
		t.Fatalf("a new case:\n%v\n%v", c, i)
	}

	held := open(t, older("held.db", 3))
	defer held.Close()
	if c, i := shape(held.w); !slices.Equal(c, oldCols) || !slices.Equal(i, oldIdx) {
		t.Fatalf("a case holding events:\n%v\n%v", c, i)
	}
	if bulk, err := held.BeginBulkLoad(); err != nil || bulk {
		t.Fatal(bulk, err)
	}
	if m, err := held.MissingIndexes(); err != nil || len(m) != 0 {
		t.Fatalf("missing: %v %v", m, err)
	}
	b, err := held.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"e1", "e9"} {
		seq, err := b.Insert(&audit.Event{ID: id, Time: time.Unix(1e9, 0), Format: "generic", Source: audit.SourceRef{ID: 1}, Raw: audit.RawRecord(`{}`)})
		if err != nil || (seq == 0) != (i == 0) {
			t.Fatalf("%s: seq %d (%v)", id, seq, err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
}
