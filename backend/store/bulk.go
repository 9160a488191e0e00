package store

import (
	"fmt"
	"runtime"
)

// The term indexes, (k_*, time_ns) for each of TermFields as migration 0006
// made them, are what structured queries page and count through. A case's
// first import loads its events without them and builds them at its end
// (BeginBulkLoad, EnsureTermIndexes): an index built from its rows fills
// its pages, where one grown row by row is left ~88% full when the file
// runs oldest first and half full when it runs newest first (an index of
// time only grows at its left end: each page split leaves two halves).
// Many exports run newest first. At 200k demo events, newest first, the
// database took 145 MiB, 118 so; oldest first 118 and 115. At 1M oldest
// first 594 → 576 MiB, the import as fast (building the eight indexes
// ~5 s, beside the search index's last batches; its row inserts cost
// less). events_time stays: the first page of a case being imported is
// read through it.

// buildCacheKiB is the writer's page cache while it builds the indexes.
const buildCacheKiB = 4000

// termIndex is the name and definition of the term index of field.
func termIndex(field string) (name, def string) {
	col := termColumn[field]
	return "events_" + col, fmt.Sprintf("ON events(%s, time_ns)", col)
}

// BeginBulkLoad drops the term indexes when the case holds no events, and
// says whether it did: the import then calls EnsureTermIndexes when it
// ends, and a process that opens the case after one that was killed
// meanwhile builds them (service.Open, which holds the search index as an
// import does).
func (s *Store) BeginBulkLoad() (bool, error) {
	tx, err := s.w.Begin()
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var empty bool
	if err := tx.QueryRow(`SELECT NOT EXISTS (SELECT 1 FROM events)`).Scan(&empty); err != nil || !empty {
		return false, err
	}
	for _, f := range TermFields {
		name, _ := termIndex(f)
		if _, err := tx.Exec(`DROP INDEX IF EXISTS ` + name); err != nil {
			return false, err
		}
	}
	return true, tx.Commit()
}

// MissingTermIndexes are the names of the term indexes the case lacks.
func (s *Store) MissingTermIndexes() ([]string, error) {
	var missing []string
	for _, f := range TermFields {
		name, _ := termIndex(f)
		var n int
		if err := s.w.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?`, name).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			missing = append(missing, name)
		}
	}
	return missing, nil
}

// EnsureTermIndexes builds the term indexes the case lacks (none: it only
// reads the schema).
func (s *Store) EnsureTermIndexes() error {
	missing, err := s.MissingTermIndexes()
	if err != nil || len(missing) == 0 {
		return err
	}
	tx, err := s.w.Begin()
	if err != nil {
		return err
	}
	// SQLite's sorter holds as much as the page cache may before it
	// writes a run out: a build of the eight at 1M took 121 MiB with the
	// writer's 32 MB, 26 with 4 MB, and less time (4.7 s against 5.4).
	// (The cache is set back once the transaction has let go of the
	// writer's one connection.)
	// SQLite's sorter sorts on helper threads when asked (PRAGMA threads):
	// at 1M on 2 cores the eight took 3.3 s with two instead of 4.3–4.4 with
	// none, on the core the search index has done with by then.
	defer s.w.Exec(fmt.Sprintf(`PRAGMA cache_size = -%d`, writerCacheKiB))
	defer s.w.Exec(`PRAGMA threads = 0`)
	defer tx.Rollback()
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA cache_size = -%d`, buildCacheKiB)); err != nil {
		return err
	}
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA threads = %d`, min(runtime.GOMAXPROCS(0), 8))); err != nil {
		return err
	}
	for _, f := range TermFields {
		name, def := termIndex(f)
		if _, err := tx.Exec("CREATE INDEX IF NOT EXISTS " + name + " " + def); err != nil {
			return fmt.Errorf("building the database's index %s: %w", name, err)
		}
	}
	return tx.Commit()
}
