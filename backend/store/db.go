// Package store is the case database: SQLite (modernc.org/sqlite, pure Go)
// in WAL mode, the source of truth for sources and events.
package store

import (
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is one case database: a single writer connection, a pool of
// readers, and a small pool that reads event blocks (blocks.go).
type Store struct {
	w       *sql.DB
	r       *sql.DB
	b       *sql.DB
	termIDs map[termKey]int64 // terms.id by field and folded value, for the writer
	bulk    *idSet            // the ids a bulk load stored, while it has no unique index of ids (bulk.go)
	// laterPairs are the term pairs of the events a bulk load stored, not
	// yet written to term_pairs (pairs.go); nil outside a bulk load.
	laterPairs pairs
	codecs     [2]*dictCodec // rawBlob: raw records; detailBlob: event details
	blocks     [2]blockCache // decoded blocks, likewise
	// blockStmts read a block's raw records or details (blocks.go)
	blockStmts [2]*sql.Stmt
	readOnly   bool    // opened with Options.ReadOnly
	columns    columns // times and term ids by seq: a word query's facets and timeline, a large selection's count (columns.go, colscan.go)
}

const (
	rawBlob    = 0
	detailBlob = 1
)

// Options tune a store to its use.
type Options struct {
	// ReaderCache is each reading connection's page cache in KiB
	// (default 32,000). Filtered facets at a million events need the
	// default; a process that only streams events through (a report) is
	// as fast with less, and its memory is what counts.
	ReaderCache int
	// ReadOnly opens the database as it is, on write-protected media
	// (evidence behind a write blocker, a read-only mount): SQLite's
	// immutable mode, which neither locks nor writes its log and shared
	// memory beside the file. Anything that would write (a migration, an
	// index a killed import left to build, an import, a tag) is refused
	// with a ReadOnlyError.
	ReadOnly bool
}

// ReadOnlyError is what a store opened ReadOnly would have to write to be
// read as it is: Needs says what, as the end of a sentence that begins
// with the case ("… has changes in its write-ahead log").
type ReadOnlyError struct{ Needs string }

func (e *ReadOnlyError) Error() string { return "the case is read-only and " + e.Needs }

func needsWriting(what string) error { return &ReadOnlyError{what} }

// writerCacheKiB is the page cache of the writer, and of readers unless
// Options say otherwise.
const writerCacheKiB = 32000

func dsn(path string, readOnly bool, cacheKiB int) string {
	return dsnOf(path, readOnly, false, cacheKiB)
}

// dsnOf is dsn, immutable: read-only and unlocked (Options.ReadOnly).
func dsnOf(path string, readOnly, immutable bool, cacheKiB int) string {
	q := url.Values{}
	if immutable {
		q.Add("mode", "ro")
		q.Add("immutable", "1")
	}
	q.Add("_pragma", "busy_timeout(10000)")
	if !immutable {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	q.Add("_pragma", "foreign_keys(1)")
	if !readOnly || cacheKiB <= 0 {
		cacheKiB = writerCacheKiB
	}
	q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", cacheKiB))
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// Checkpoint the WAL every 64 MiB, not every 4: an import of a
		// million events spent 35 s of its commits copying and syncing
		// small checkpoints.
		q.Add("_pragma", "wal_autocheckpoint(16384)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(path string) (*Store, error) { return OpenWith(path, Options{}) }

// OpenWith is Open with options.
func OpenWith(path string, o Options) (*Store, error) {
	if o.ReadOnly {
		return openReadOnly(path, o)
	}
	w, err := sql.Open("sqlite", dsn(path, false, 0))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if err := migrate(w); err != nil {
		w.Close()
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return openPools(path, o, w)
}

// openReadOnly opens a case's database without writing beside it. A
// database whose write-ahead log still holds transactions (the case was
// copied while a process had it open, or that process was killed) is
// refused: immutable mode reads the file alone, and would show the case
// without them.
func openReadOnly(path string, o Options) (*Store, error) {
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, needsWriting(fmt.Sprintf("its database's write-ahead log (%s-wal, %d bytes) holds changes not yet in %s, which only a writable copy takes in", filepath.Base(path), fi.Size(), filepath.Base(path)))
	}
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsnOf(path, true, true, 0))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if todo, err := pendingMigrations(w); err != nil {
		w.Close()
		return nil, fmt.Errorf("%s: %v", path, err)
	} else if len(todo) > 0 {
		w.Close()
		return nil, needsWriting(fmt.Sprintf("was made by an older auditlens: its database needs %d changes (%s…) to be read by this one", len(todo), todo[0]))
	}
	return openPools(path, o, w)
}

// openPools opens the readers beside the writer w (immutable, as w is, for
// a ReadOnly store) and reads what the store keeps in memory.
func openPools(path string, o Options, w *sql.DB) (*Store, error) {
	r, err := sql.Open("sqlite", dsnOf(path, true, o.ReadOnly, o.ReaderCache))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	b, err := sql.Open("sqlite", dsnOf(path, true, o.ReadOnly, 2000))
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	b.SetMaxOpenConns(blockReaders)
	s := &Store{w: w, r: r, b: b, termIDs: map[termKey]int64{}, readOnly: o.ReadOnly}
	if err := s.prepareBlockReads(); err != nil {
		s.Close()
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	for i, table := range [2]string{"raw_dicts", "detail_dicts"} {
		if s.codecs[i], err = newDictCodec(r, table); err != nil {
			s.Close()
			return nil, fmt.Errorf("%s: reading its dictionaries: %v", path, err)
		}
	}
	if err := s.rebuildTerms(); err != nil {
		s.Close()
		return nil, fmt.Errorf("%s: counting the case's values: %v", path, err)
	}
	return s, nil
}

// Close closes the pools.
func (s *Store) Close() error {
	for _, st := range s.blockStmts {
		if st != nil {
			st.Close()
		}
	}
	err := s.r.Close()
	if e := s.b.Close(); err == nil {
		err = e
	}
	if e := s.w.Close(); err == nil {
		err = e
	}
	return err
}

// migrate applies the embedded migrations not yet recorded, each in one
// transaction, in the order of their numbers.
//
// The migrations of onlyWhenEmpty make the events table again: a case that
// holds events skips them (the copy would take minutes at 10M events) and
// is recorded as migrated, its table as it was.
var onlyWhenEmpty = map[string]bool{"0014_events_id_index": true}

func migrate(db *sql.DB) error { return migrateThrough(db, "") }

// migrationVersions are the embedded migrations' versions, in order
// ("0014_events_id_index"), each with its file.
func migrationVersions() ([][2]string, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([][2]string, len(names))
	for i, name := range names {
		out[i] = [2]string{strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql"), name}
	}
	return out, nil
}

// pendingMigrations are the migrations db lacks, without applying them.
func pendingMigrations(db *sql.DB) ([]string, error) {
	versions, err := migrationVersions()
	if err != nil {
		return nil, err
	}
	applied := map[string]bool{}
	rows, err := db.Query(`SELECT version FROM schema_migrations`)
	if err := eachRow(rows, err, func() error {
		var v string
		err := rows.Scan(&v)
		applied[v] = true
		return err
	}); err != nil {
		return nil, err
	}
	var todo []string
	for _, v := range versions {
		if !applied[v[0]] {
			todo = append(todo, v[0])
		}
	}
	return todo, nil
}

// migrateThrough applies the migrations up to last (every one when "").
func migrateThrough(db *sql.DB, last string) error {
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return err
	}
	versions, err := migrationVersions()
	if err != nil {
		return err
	}
	for _, vn := range versions {
		version, name := vn[0], vn[1]
		if last != "" && version > last {
			break
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		body, _ := migrations.ReadFile(name)
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		skip := false
		if onlyWhenEmpty[version] {
			if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM events)`).Scan(&skip); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %s: %v", version, err)
			}
		}
		if !skip {
			if _, err := tx.Exec(string(body)); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %s: %v", version, err)
			}
		}
		if _, err := tx.Exec(`INSERT INTO schema_migrations(version, applied_at) VALUES(?, ?)`, version, time.Now().UnixNano()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Meta reads a value of the case's meta table ("" when unset).
func (s *Store) Meta(key string) (string, error) {
	var v string
	err := s.r.QueryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v, err
}

// SetMeta writes a value of the meta table.
func (s *Store) SetMeta(key, value string) error {
	_, err := s.w.Exec(`INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
