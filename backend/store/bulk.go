package store

import (
	"encoding/hex"
	"fmt"
	"runtime"
	"slices"
	"strings"
)

// The term indexes, (k_*, time_ns) for each of TermFields as migration 0006
// made them, are what structured queries page and count through. A case's
// first import loads its events without them and builds them at its end
// (BeginBulkLoad, EnsureIndexes): an index built from its rows fills
// its pages, where one grown row by row is left ~88% full when the file
// runs oldest first and half full when it runs newest first (an index of
// time only grows at its left end: each page split leaves two halves).
// Many exports run newest first. At 200k demo events, newest first, the
// database took 145 MiB, 118 so; oldest first 118 and 115. At 1M oldest
// first 594 → 576 MiB, the import as fast (building the eight indexes
// ~5 s, beside the search index's last batches; its row inserts cost
// less). events_time stays: the first page of a case being imported is
// read through it.
//
// The unique index of the events' ids (events_id, migration 0014) is left
// out of a first import too, and the import rejects a duplicate by the ids
// it keeps in memory instead (idSet). Grown row by row, a batch of 1,000
// random ids dirtied ~1,000 of its pages, each written to the log at the
// batch's commit and again at a checkpoint: at 250k demo events the import
// wrote 1.7 GB for a case of 0.3. At 1M (two alternated runs each, the
// index left out and not yet built) wall 74.0, 71.5 → 66.8, 64.4 s, system
// CPU 13.7, 12.7 → 9.4, 7.5 s. The ids kept are bounded (bulkIDsCap): a
// load that reaches it builds events_id then, and goes on with it.

// buildCacheKiB is the writer's page cache while it builds the indexes.
const buildCacheKiB = 4000

// termIndex is the name and definition of the term index of field.
func termIndex(field string) (name, def string) {
	col := termColumn[field]
	return "events_" + col, fmt.Sprintf("ON events(%s, time_ns)", col)
}

// idIndex is the unique index of the events' ids. A case that held events
// before migration 0014 has SQLite's automatic index of the column's
// UNIQUE instead, which no statement drops: its imports never load in bulk
// (they are not its first).
const idIndex = "events_id"

// bulkIDsCap is the most ids a bulk load keeps in memory (~30 bytes each,
// 60 MiB at the cap), against #6's 600 MB whatever the input's size.
var bulkIDsCap = 1 << 21

// BeginBulkLoad drops the database's indexes an import can do without when
// the case holds no events, and says whether it did: the import then calls
// EnsureIndexes when it ends, and a process that opens the case after one
// that was killed meanwhile builds them (service.Open, which holds the
// search index as an import does). Until then the batches reject duplicate
// ids by the ids loaded (Batch.Insert), and keep their term pairs
// (pairs.go).
func (s *Store) BeginBulkLoad() (bool, error) {
	defs, err := s.indexDefs() // (before the transaction takes the writer's one connection)
	if err != nil {
		return false, err
	}
	tx, err := s.w.Begin()
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var empty bool
	if err := tx.QueryRow(`SELECT NOT EXISTS (SELECT 1 FROM events)`).Scan(&empty); err != nil || !empty {
		return false, err
	}
	for _, d := range defs {
		if _, err := tx.Exec(`DROP INDEX IF EXISTS ` + d.name); err != nil {
			return false, err
		}
	}
	// term_pairs is written at the end (pairs.go).
	if _, err := tx.Exec(`DELETE FROM meta WHERE key = 'term_pairs'`); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	if defs[0].name == idIndex {
		s.bulk = newIDSet()
	}
	s.laterPairs = pairs{}
	return true, nil
}

// indexDef is an index BeginBulkLoad may drop: its name and what creates it.
type indexDef struct{ name, create string }

// indexDefs are the indexes BeginBulkLoad may drop: the unique index of ids
// unless the case has the automatic one, then the term indexes.
func (s *Store) indexDefs() ([]indexDef, error) {
	var auto bool
	if err := s.w.QueryRow(`SELECT EXISTS (SELECT 1 FROM pragma_index_list('events') WHERE origin = 'u')`).Scan(&auto); err != nil {
		return nil, err
	}
	var defs []indexDef
	if !auto {
		defs = append(defs, indexDef{idIndex, "CREATE UNIQUE INDEX IF NOT EXISTS " + idIndex + " ON events(id)"})
	}
	for _, f := range TermFields {
		name, def := termIndex(f)
		defs = append(defs, indexDef{name, "CREATE INDEX IF NOT EXISTS " + name + " " + def})
	}
	return defs, nil
}

// missingIndexes are the indexes BeginBulkLoad drops that the case lacks.
func (s *Store) missingIndexes() ([]indexDef, error) {
	defs, err := s.indexDefs()
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(defs, func(d indexDef) bool {
		var n int
		if e := s.w.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?`, d.name).Scan(&n); e != nil {
			err = e
		}
		return n > 0
	}), err
}

// MissingIndexes are the names of the indexes BeginBulkLoad drops that the
// case lacks.
func (s *Store) MissingIndexes() ([]string, error) {
	defs, err := s.missingIndexes()
	var names []string
	for _, d := range defs {
		names = append(names, d.name)
	}
	return names, err
}

// EnsureIndexes builds the indexes BeginBulkLoad drops that the case lacks
// (none: it only reads the schema), completes term_pairs (finishPairs), and
// ends a bulk load.
func (s *Store) EnsureIndexes() error {
	if s.readOnly {
		return s.ensuredAlready()
	}
	if err := s.buildIndexes(false); err != nil {
		return err
	}
	return s.finishPairs()
}

// ensuredAlready: a read-only store cannot build what EnsureIndexes would,
// and says what is missing.
func (s *Store) ensuredAlready() error {
	defs, err := s.missingIndexes()
	if err != nil {
		return err
	}
	if len(defs) > 0 {
		return needsWriting(fmt.Sprintf("its first import was stopped before it built %d of the database's indexes (%s…)", len(defs), defs[0].name))
	}
	if done, err := pairsComplete(s.w); err != nil || done {
		return err
	}
	if n, err := s.MaxSeq(); err != nil || n == 0 {
		return err
	}
	return needsWriting("its first import was stopped before it counted which values occur together")
}

// buildIndexes builds the missing indexes, or only the unique one of ids,
// and ends the bulk load: the ids are in the index.
func (s *Store) buildIndexes(idsOnly bool) error {
	defs, err := s.missingIndexes()
	if err != nil {
		return err
	}
	if idsOnly {
		defs = slices.DeleteFunc(defs, func(d indexDef) bool { return d.name != idIndex })
	}
	if len(defs) == 0 {
		s.bulk = nil
		return nil
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
	for _, d := range defs {
		if _, err := tx.Exec(d.create); err != nil {
			return fmt.Errorf("building the database's index %s: %w", d.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.bulk = nil
	return nil
}

// idSet is the ids of the events a bulk load stored: those ingest makes
// (32 lower-case hex digits) as their 16 bytes, any other as it is.
type idSet struct {
	hex   map[[16]byte]struct{}
	other map[string]struct{}
}

func newIDSet() *idSet {
	return &idSet{hex: map[[16]byte]struct{}{}, other: map[string]struct{}{}}
}

// hexID is id's bytes if it is 32 lower-case hex digits.
func hexID(id string) (b [16]byte, ok bool) {
	if len(id) != 32 || strings.ToLower(id) != id {
		return b, false
	}
	_, err := hex.Decode(b[:], []byte(id))
	return b, err == nil
}

func (s *idSet) has(id string) bool {
	if b, ok := hexID(id); ok {
		_, in := s.hex[b]
		return in
	}
	_, in := s.other[id]
	return in
}

func (s *idSet) add(id string) {
	if b, ok := hexID(id); ok {
		s.hex[b] = struct{}{}
	} else {
		s.other[id] = struct{}{}
	}
}

func (s *idSet) remove(id string) {
	if b, ok := hexID(id); ok {
		delete(s.hex, b)
	} else {
		delete(s.other, id)
	}
}

func (s *idSet) len() int { return len(s.hex) + len(s.other) }
