// Package service holds the use cases of auditlens. The CLI, the HTTP API
// and the window call only this package; it alone writes the store and the
// index, so data flows one way: ingest -> service -> store + search.
package service

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"

	"auditlens/backend/audit"
	"auditlens/backend/search"
	"auditlens/backend/store"
)

// Case is one open case folder: case.db and index/.
type Case struct {
	Dir   string
	store *store.Store
	index *search.Index
	mu    sync.Mutex // one import or reindex at a time
	// indexMu guards index, which is nil while another process holds it
	// or while it is being brought up to date in the background (rebuild).
	indexMu sync.Mutex
	rebuild *rebuild
	// caughtUp counts the events indexed when the index was opened (after a
	// crash, or for a missing or outdated index).
	caughtUp atomic.Int64
	jobs     jobs       // imports started from the UI
	reports  reportJobs // reports started from the UI
	// indexOnly sends every query to the search index (tests compare the
	// database's answers with it).
	indexOnly bool
	// allFields keeps the database's fields in the index's documents too,
	// so that the index answers them itself where indexOnly asks it
	// (search.Options.AllFields; set from referenceIndexes when opened).
	allFields bool
	// readOnly: the case is on write-protected media and was opened as it
	// is (openReadOnly); anything that writes is refused (writes), and
	// wordsErr is why words cannot be searched, when they cannot.
	readOnly bool
	wordsErr error
	// life ends when the case is closed: background imports and reports
	// stop at their next read or thousand events, and Close waits for them (bg).
	life context.Context
	end  context.CancelCauseFunc
	bg   sync.WaitGroup
}

// referenceIndexes makes the cases opened meanwhile keep the database's
// fields in their index's documents (allFields): for the tests that compare
// the service's answers with the index's own.
var referenceIndexes bool

// indexOptions are how the case opens its search index: the database's
// columns answer the terms on its fields, which documents leave out.
func (c *Case) indexOptions() search.Options {
	return search.Options{Columns: c.store, AllFields: c.allFields}
}

// errClosed is why background work stopped early.
var errClosed = errors.New("the case was closed")

// background runs fn in its own goroutine with a context that ends when
// the returned stop is called or the case is closed; Close waits for fn.
func (c *Case) background(fn func(ctx context.Context)) (stop context.CancelCauseFunc) {
	ctx, stop := context.WithCancelCause(c.life)
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		defer stop(nil)
		fn(ctx)
	}()
	return stop
}

// plan decides who answers q: the database when it names only fields it
// keeps (search.Structured), the search index otherwise.
func (c *Case) plan(q audit.Query) (*store.Filter, bool) {
	if c.indexOnly {
		return nil, false
	}
	return search.Structured(q)
}

// DefaultDir is the default case in the user's data directory.
func DefaultDir() string {
	base, err := os.UserConfigDir()
	if xdg := os.Getenv("XDG_DATA_HOME"); xdg != "" {
		base, err = xdg, nil
	} else if home, herr := os.UserHomeDir(); herr == nil {
		base, err = filepath.Join(home, ".local", "share"), nil
	}
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "auditlens", "default-case")
}

// Open opens the case in dir, creating it when missing, and brings its
// search index up to the database (after a killed import, or when the index
// was removed or is of an older mapping).
func Open(dir string) (*Case, error) { return open(dir, store.Options{}, indexNow) }

// OpenServing is Open for serve and the window, whose first page must not
// wait for the search index: an index that must be caught up or rebuilt (a
// 1M case of an older mapping: minutes) is brought up to date in the
// background. Meanwhile the database answers every query on fields, and
// words get ECONFLICT with the progress (see rebuild.go).
func OpenServing(dir string) (*Case, error) { return open(dir, store.Options{}, indexInBackground) }

// OpenForStreaming is Open for a process that streams the case's events
// out once (a report, an export): its database readers keep smaller caches
// (a 1M report: 312 -> 266 MB peak, no slower), which would slow the
// filtered facets of a case being explored. It opens the search index only
// when a query has words (words): opening it starts Bleve's merger, which
// takes up a merge an import left due, and a report of fields alone paid
// for it (a 1M report right after the import: 41.1 -> 37.7 s, peak RSS
// 345 -> 240 MB; 45 s and 1.3 GiB in one bench run).
func OpenForStreaming(dir string) (*Case, error) {
	return open(dir, store.Options{ReaderCache: 8000}, indexWhenAsked)
}

// indexMode is when a case opens its search index and brings it up to date.
type indexMode int

const (
	indexNow          indexMode = iota // at once, before open returns
	indexWhenAsked                     // at the first query with words (words)
	indexInBackground                  // opened at once, brought up to date in the background
)

// open opens the case and its search index as mode says.
func open(dir string, o store.Options, mode indexMode) (*Case, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, audit.Errorf(audit.EINVALID, "cannot create the case folder %s: %v", dir, err)
	}
	if err := writable(dir); errors.Is(err, errWriteProtected) {
		if _, serr := os.Stat(filepath.Join(dir, "case.db")); serr != nil { // (no case there to read)
			return nil, audit.Errorf(audit.EINVALID, "the folder %s %v: a case cannot be made there", dir, err)
		}
		return openReadOnly(dir, o, err)
	} else if err != nil {
		return nil, err
	}
	st, err := store.OpenWith(filepath.Join(dir, "case.db"), o)
	if err != nil {
		return nil, fmt.Errorf("opening the case database: %w", err)
	}
	c := &Case{Dir: dir, store: st, allFields: referenceIndexes}
	c.life, c.end = context.WithCancelCause(context.Background())
	if head, _, err := st.LogHead(); err == nil && head == "" {
		if _, err := st.Log("case.opened", map[string]any{"dir": dir, "note": "the activity log starts here"}); err != nil {
			c.Close()
			return nil, err
		}
	}
	switch mode {
	case indexWhenAsked:
		return c, nil
	case indexNow:
		err = c.openIndex()
	case indexInBackground:
		err = c.openIndexInBackground()
		// The first word query's facets would read every event's term ids
		// (1M: ~1.1 s), and large selections on fields are counted from them
		// once read; a failure here is met again, and told, by a word query.
		// Then the memo of the index's keys (search/seqmemo.go), so that the
		// first word query on a case at rest reads none (1M: ~0.14 s).
		c.background(c.warm)
	}
	if err != nil && !errors.Is(err, search.ErrBusy) {
		c.Close()
		return nil, err
	}
	return c, nil
}

// warm reads the columns of the events stored since they were last read,
// then the key of every document the index holds (when it is open, not
// while it is rebuilt), unless ctx ends first.
func (c *Case) warm(ctx context.Context) {
	if c.store.WarmColumns(ctx) != nil || ctx.Err() != nil {
		return
	}
	c.indexMu.Lock()
	idx := c.index
	c.indexMu.Unlock()
	if idx != nil {
		_, _ = idx.EachSeq(audit.Query{}, func(int64) {})
	}
}

// openIndex opens the search index and brings it up to the database. When
// another process holds it (an import from the command line), the case
// opens without it: the database answers every query on fields, and words
// wait (words) until the index is free.
func (c *Case) openIndex() error {
	idx, fresh, err := c.openSearch()
	if err != nil {
		return err
	}
	c.index = idx
	if err := c.catchUp(context.Background(), idx, startOf(idx, fresh)); err != nil {
		return fmt.Errorf("bringing the search index up to date: %w", err)
	}
	return c.writePending(idx)
}

// openSearch opens the search index. Holding it, the process is the one
// that may import: a first import killed before it built the database's
// unique index of ids and term indexes (store.BeginBulkLoad) left them to
// this.
func (c *Case) openSearch() (*search.Index, bool, error) {
	idx, fresh, err := search.Open(filepath.Join(c.Dir, "index"), c.indexOptions())
	if err != nil {
		return nil, false, err
	}
	if err := c.store.EnsureIndexes(); err != nil {
		idx.Close()
		return nil, false, err
	}
	return idx, fresh, nil
}

// startOf is the seq after which idx lacks events.
func startOf(idx *search.Index, fresh bool) int64 {
	if fresh {
		return 0
	}
	return idx.Watermark()
}

// words gives the search index, opening it if another process held it
// when the case was opened.
func (c *Case) words() (*search.Index, error) {
	c.indexMu.Lock()
	defer c.indexMu.Unlock()
	if c.index != nil {
		return c.index, nil
	}
	if c.readOnly {
		return nil, c.wordsErr
	}
	if c.rebuild != nil {
		return nil, c.busy(c.rebuild)
	}
	err := c.openIndex()
	if errors.Is(err, search.ErrBusy) {
		return nil, c.heldElsewhere()
	}
	if err != nil {
		if c.index != nil {
			c.index.Close()
			c.index = nil
		}
		return nil, err
	}
	return c.index, nil
}

// heldElsewhere says why words wait when another process holds the search
// index: an import (a source of the case is being read), or a process that
// has the case open (serve, the window), which ends only when it is closed.
func (c *Case) heldElsewhere() error {
	const fields = "searches on fields (action:, actor.email:, outcome:, category:, ip: …) work meanwhile"
	sources, _ := c.store.Sources()
	for _, s := range sources {
		if s.Failed == store.ImportUnfinished {
			return audit.Errorf(audit.ECONFLICT, "another auditlens process is importing into this case, so searching "+
				"for words waits until it ends; "+fields)
		}
	}
	return audit.Errorf(audit.ECONFLICT, "another auditlens process has this case open (auditlens serve, or the window), "+
		"so words can be searched there, or here once it is closed; "+fields)
}

// Close stops the case's background imports and reports (they end at their
// next read or thousand events, leaving what they stored), then closes the index and the
// database.
func (c *Case) Close() error {
	c.end(errClosed)
	c.bg.Wait()
	var err error
	c.indexMu.Lock()
	if c.index != nil {
		err = c.index.Close()
		c.index = nil
	}
	c.indexMu.Unlock()
	if e := c.store.Close(); err == nil {
		err = e
	}
	return err
}

// catchUp indexes into idx every stored event after seq from, counting
// them in caughtUp.
func (c *Case) catchUp(ctx context.Context, idx *search.Index, from int64) error {
	newest, err := c.store.MaxSeq()
	c.caughtUp.Store(0)
	if err != nil || newest <= from {
		return err
	}
	defer fastIndexGC()()
	// As an import does: batches of writeBatch, two indexed at once, the
	// watermark moved once a batch and those before it are in. (One batch
	// of 5,000 at a time on this goroutine left a core idle: a 1M reindex
	// took 527 s where the import took 227.)
	x := startIndexer(idx)
	docs := make([]search.Doc, 0, writeBatch)
	err = c.store.EachAfter(ctx, from, func(seq int64, ev *audit.Event) error {
		docs = append(docs, search.Doc{Seq: seq, Event: ev})
		c.caughtUp.Add(1)
		if len(docs) == writeBatch {
			x.add(docs, seq)
			docs = make([]search.Doc, 0, writeBatch)
		}
		return nil
	})
	if err == nil && len(docs) > 0 {
		x.add(docs, docs[len(docs)-1].Seq)
	}
	if werr := x.wait(); err == nil {
		err = werr
	}
	return err
}

// Reindex rebuilds the search index from the database.
func (c *Case) Reindex(ctx context.Context) (int64, error) {
	if err := c.Writes("rebuild its search index"); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.waitRebuild(ctx, nil); err != nil {
		return 0, err
	}
	c.indexMu.Lock()
	defer c.indexMu.Unlock()
	dir := filepath.Join(c.Dir, "index")
	if c.index == nil && c.rebuild == nil {
		return 0, audit.Errorf(audit.ECONFLICT, "another auditlens process has this case's search index open; reindex when it ends")
	}
	if c.index != nil {
		if err := c.index.Close(); err != nil {
			return 0, err
		}
	}
	c.index, c.rebuild = nil, nil // a failed rebuild closed its index
	if err := os.RemoveAll(dir); err != nil {
		return 0, err
	}
	idx, _, err := search.Open(dir, c.indexOptions())
	if err != nil {
		return 0, err
	}
	c.index = idx
	if err := c.catchUp(ctx, idx, 0); err != nil {
		return 0, err
	}
	if err := c.writePending(idx); err != nil { // written already, with their tags
		return 0, err
	}
	n, err := idx.DocCount()
	return int64(n), err
}

// Sources lists the provenance of everything imported.
func (c *Case) Sources() ([]audit.Source, error) { return c.store.Sources() }

// Event returns one event with its notes.
func (c *Case) Event(id string) (*audit.Event, error) {
	ev, err := c.store.Event(id)
	if err != nil {
		return nil, err
	}
	ev.Notes, err = c.store.Notes(id)
	return ev, err
}

// writable says so, in words, when auditlens cannot write in the case's
// folder or its database: a case opens its database's log and its index's
// files even to be read (SQLite's write-ahead log, Bleve's), and failed
// with "attempt to write a readonly database (1544)" on write-protected
// evidence. (The probe is a file made and removed at once: SQLite makes
// its log beside the database at every open anyway.)
func writable(dir string) error {
	readOnly := func(p string, err error) error {
		return fmt.Errorf("%w (%s: %v)", errWriteProtected, p, err)
	}
	probe, err := os.CreateTemp(dir, ".writable-*")
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return readOnly(dir, errors.Unwrap(err))
	} else if err != nil {
		return fmt.Errorf("cannot write in the case at %s: %w", dir, err) // (a full disk)
	}
	probe.Close()
	os.Remove(probe.Name())
	db := filepath.Join(dir, "case.db")
	if f, err := os.OpenFile(db, os.O_RDWR, 0); err == nil {
		f.Close()
	} else if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return readOnly(db, errors.Unwrap(err))
	}
	return nil
}
