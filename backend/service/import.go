package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"path/filepath"
	"slices"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/ingest"
	"auditlens/backend/search"
)

// Events are written and indexed in batches of this many (an import, a
// catch-up or a reindex: small batches, two indexed at once, keep both cores
// busy and memory low). Two batches in flight are most of an import's heap:
// at 1M events, batches of 1000 peaked at 340 MB anonymous memory against
// 470 with 1500, as fast; batches of 750 left Bleve's merger behind
// (hundreds of segments).
const writeBatch = 1000

// ImportOptions tune an import.
type ImportOptions struct {
	Format   string               // "" or "auto", or a format name
	Mappings []string             // user mapping files (JSON), besides the case's mappings/
	Progress func(ImportProgress) // called after each batch, may be nil
	// Context, when set, stops the import once it is done (ingest reads no
	// further): what was read is stored, and the sources it was reading are
	// recorded as failed with the events stored from them.
	Context context.Context
}

// ImportProgress is what a running import has done so far.
type ImportProgress struct {
	Sources    int           `json:"sources"`
	Events     int           `json:"events"`
	Duplicates int           `json:"duplicates"`
	Rejected   int           `json:"rejected"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	Waiting    string        `json:"waiting,omitempty"` // why it has not started yet
}

// ImportSummary is the outcome of an import, as `import --json` prints it.
type ImportSummary struct {
	Events     int            `json:"events"`
	Duplicates int            `json:"duplicates"`
	Rejected   int            `json:"rejected"`
	Fallback   int            `json:"fallback"`
	Sources    []SourceResult `json:"sources"`
	Failures   []string       `json:"failures,omitempty"` // paths that could not be read
	Seconds    float64        `json:"seconds"`
}

// SourceResult is one source in the summary.
type SourceResult struct {
	ID         int64               `json:"id"`
	ParentID   int64               `json:"parent_id,omitempty"`
	Path       string              `json:"path"`
	Member     string              `json:"member"`
	Size       int64               `json:"size"`
	SHA256     string              `json:"sha256"`
	Digest     string              `json:"digest,omitempty"`
	Format     string              `json:"format"`
	Events     int                 `json:"events"`
	Duplicates int                 `json:"duplicates"`
	Rejected   int                 `json:"rejected"`
	Fallback   int                 `json:"fallback"`
	Errors     []audit.RecordError `json:"errors"`
	Failed     string              `json:"failed,omitempty"`
}

// Import reads paths into the case. Sources that fail are listed in
// Failures; the rest is imported. The error is for the case itself failing
// (a full disk): what was committed before it stays, consistent.
func (c *Case) Import(paths []string, opts ImportOptions) (*ImportSummary, error) {
	if err := c.Writes("import"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if err := c.waitRebuild(ctx, func(why string) {
		if opts.Progress != nil {
			opts.Progress(ImportProgress{Waiting: why})
		}
	}); err != nil {
		return nil, err
	}
	mappings, err := c.Mappings(opts.Mappings...)
	if err != nil {
		return nil, err
	}
	if err := knownFormat(opts.Format, mappings); err != nil { // (before any file is read: it was each file's failure)
		return nil, err
	}
	idx, err := c.words()
	if err != nil {
		return nil, err
	}
	// A case's first import builds the database's unique index of ids and
	// its term indexes at its end.
	bulk, err := c.store.BeginBulkLoad()
	if err != nil {
		return nil, err
	}
	defer fastIndexGC()()
	h := &importHandler{c: c, opts: opts, start: time.Now(), sum: &ImportSummary{Sources: []SourceResult{}},
		indexer: startIndexer(idx)}
	failures := ingest.Import(paths, ingest.Options{Format: opts.Format, Mappings: mappings, Context: opts.Context}, h)
	err = h.flush()
	if err == nil && h.stopped() != nil {
		err = h.finishOpen()
	}
	if bulk { // (while the index takes its last batches)
		if berr := c.store.EnsureIndexes(); err == nil {
			err = berr
		}
	}
	if ierr := h.indexer.wait(); err == nil {
		err = ierr
	}
	if err != nil {
		return h.sum, err
	}
	for _, f := range failures {
		if audit.ErrorCode(f) == audit.EINVALID {
			return h.sum, f
		}
		if _, ok := f.(*ingest.PathError); !ok {
			if stop := h.stopped(); stop != nil {
				// stopped on purpose: what was stored is logged as imported
				f = stop
				h.sum.Failures = append(h.sum.Failures, f.Error())
				h.sum.Seconds = time.Since(h.start).Seconds()
				if err := c.logImport(paths, h.sum); err != nil {
					return h.sum, err
				}
			}
			return h.sum, f // the handler failed or was stopped
		}
		h.sum.Failures = append(h.sum.Failures, f.Error())
	}
	h.sum.Seconds = time.Since(h.start).Seconds()
	return h.sum, c.logImport(paths, h.sum)
}

// importHandler writes what ingest finds: events in batched transactions,
// then the same batch into the index with the new watermark.
type importHandler struct {
	c       *Case
	opts    ImportOptions
	start   time.Time
	sum     *ImportSummary
	pending []pendingEvent
	ended   []*audit.Source // read to the end; finished at the next flush
	indexer *indexer
	digests map[*audit.Source]hash.Hash // over the raw hashes of each source's new events
	open    []*audit.Source             // begun and not yet finished, in the order begun
}

// stopped says why the import must end early, if it must.
func (h *importHandler) stopped() error {
	if h.opts.Context == nil || h.opts.Context.Err() == nil {
		return nil
	}
	return fmt.Errorf("import stopped before its end (%w): what was stored before stays", context.Cause(h.opts.Context))
}

type pendingEvent struct {
	src *audit.Source
	ev  *audit.Event
}

func (h *importHandler) BeginSource(src *audit.Source) error {
	src.ImportedAt = time.Now().UTC()
	if err := h.c.store.CreateSource(src); err != nil {
		return err
	}
	h.open = append(h.open, src)
	return nil
}

// stoppedSource begins the failure of a source an import was stopped in:
// its SHA-256 and size are of the part it read (verify compares them with
// the file's start).
const stoppedSource = "the import was stopped while reading this, and the rest of it was not read"

// finishOpen records the sources a stopped import left part-read as
// failed, with the events that were stored from them, so the case's
// provenance says what came from where.
func (h *importHandler) finishOpen() error {
	for _, src := range slices.Clone(h.open) {
		src.Failed = stoppedSource
		if src.Events > 0 {
			src.Failed += fmt.Sprintf(" (%d events from it were stored)", src.Events)
		}
		if src.SHA256 != "" {
			src.Failed += fmt.Sprintf("; its SHA-256 is of the %d bytes read", src.Size)
		}
		if err := h.finishSource(src); err != nil {
			return err
		}
	}
	return nil
}

func (h *importHandler) Event(src *audit.Source, ev *audit.Event) error {
	ev.Source = audit.SourceRef{ID: src.ID, Name: src.Path, Member: src.Member}
	h.pending = append(h.pending, pendingEvent{src, ev})
	if len(h.pending) >= writeBatch {
		return h.flush()
	}
	return nil
}

// EndSource queues src to be finished once its last events are stored, so
// that many small files share one transaction.
func (h *importHandler) EndSource(src *audit.Source) error {
	h.ended = append(h.ended, src)
	if len(h.ended) >= 500 {
		return h.flush()
	}
	return nil
}

func (h *importHandler) finishSource(src *audit.Source) error {
	h.open = slices.DeleteFunc(h.open, func(s *audit.Source) bool { return s == src })
	if d := h.digests[src]; d != nil {
		src.Digest = hex.EncodeToString(d.Sum(nil))
		delete(h.digests, src)
	}
	if err := h.c.store.FinishSource(src); err != nil {
		return err
	}
	h.sum.Events += src.Events
	h.sum.Duplicates += src.Duplicates
	h.sum.Rejected += src.Rejected
	h.sum.Fallback += src.Fallback
	h.sum.Sources = append(h.sum.Sources, SourceResult{ID: src.ID, ParentID: src.ParentID, Path: src.Path, Member: src.Member, Digest: src.Digest,
		Size: src.Size, SHA256: src.SHA256, Format: src.Format, Events: src.Events, Duplicates: src.Duplicates,
		Rejected: src.Rejected, Fallback: src.Fallback, Errors: nonNilErrors(src.Errors), Failed: src.Failed})
	return nil
}

func nonNilErrors(e []audit.RecordError) []audit.RecordError {
	if e == nil {
		return []audit.RecordError{}
	}
	return e
}

// flush stores the pending events, then finishes the sources that ended.
func (h *importHandler) flush() error {
	if err := h.flushEvents(); err != nil {
		return err
	}
	for _, src := range h.ended {
		if err := h.finishSource(src); err != nil {
			return err
		}
	}
	h.ended = h.ended[:0]
	return nil
}

// flushEvents stores the pending events in one transaction and hands the
// new ones to the indexer as one Bleve batch that also moves the watermark.
// A crash between the two is mended when the case is next opened (the index
// catches up from the database).
func (h *importHandler) flushEvents() error {
	if len(h.pending) == 0 {
		return nil
	}
	b, err := h.c.store.BeginBatch()
	if err != nil {
		return err
	}
	fresh := make([]search.Doc, 0, len(h.pending))
	var last int64
	for _, p := range h.pending {
		seq, err := b.Insert(p.ev)
		if err != nil {
			b.Rollback()
			return err
		}
		if seq == 0 {
			p.src.Duplicates++
			continue
		}
		p.src.Events++
		last = seq
		fresh = append(fresh, search.Doc{Seq: seq, Event: p.ev})
		if h.digests == nil {
			h.digests = map[*audit.Source]hash.Hash{}
		}
		if h.digests[p.src] == nil {
			h.digests[p.src] = sha256.New()
		}
		h.digests[p.src].Write([]byte(p.ev.RawSHA256))
	}
	if err := b.Commit(); err != nil {
		return err
	}
	h.pending = h.pending[:0]
	if len(fresh) > 0 {
		h.indexer.add(fresh, last)
	}
	h.progress()
	return nil
}

// progress reports the finished sources' counts plus what the sources
// still being read have stored so far: one big file shows its progress too.
func (h *importHandler) progress() {
	if h.opts.Progress == nil {
		return
	}
	p := ImportProgress{Sources: len(h.sum.Sources), Events: h.sum.Events, Duplicates: h.sum.Duplicates,
		Rejected: h.sum.Rejected, Elapsed: time.Since(h.start)}
	for _, src := range h.open {
		p.Events += src.Events
		p.Duplicates += src.Duplicates
		p.Rejected += src.Rejected
	}
	h.opts.Progress(p)
}

// Mappings loads the user mappings of the case (its mappings/ folder) and
// the given files; a bad one is an error naming the file and the fault.
func (c *Case) Mappings(files ...string) ([]*ingest.Format, error) {
	out, err := ingest.LoadMappings(filepath.Join(c.Dir, "mappings"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		m, err := ingest.LoadMapping(f)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// knownFormat refuses a format that is neither built in nor one of the
// mappings (a user mapping may name a new one).
func knownFormat(name string, mappings []*ingest.Format) error {
	if name == "" || name == "auto" || slices.ContainsFunc(mappings, func(f *ingest.Format) bool { return f.Name == name }) {
		return nil
	}
	_, err := ingest.FormatByName(name)
	return err
}
