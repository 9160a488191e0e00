package search

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	berrors "go.etcd.io/bbolt/errors"

	"auditlens/backend/audit"
)

// runtimeConfig: batches are not fsynced one by one (Bleve's unsafe_batch).
// The watermark travels in the same batch as its documents, so after a crash
// the index is at an older watermark, never ahead of it, and Case.Open
// catches it up. The last batch of a run is committed durably (Sync), since
// an unsafe batch is not written out by Close. A new map each time: Bleve
// writes the store's path into the map it creates an index with, and a
// shared one sent every later open in the process to that folder
// (TestIndexesKeepToTheirFolders).
func runtimeConfig() map[string]any {
	config := map[string]any{"unsafe_batch": true, "bolt_timeout": "300ms",
		"scorchMergePlanOptions": mergePlanOptions()}
	if noMerges {
		config["scorchMergePlanOptions"] = map[string]any{"MaxSegmentSize": 1, "FloorSegmentSize": 1} // (none small enough to merge)
		// (persisted as they come, not merged in memory first)
		config["scorchPersisterOptions"] = map[string]any{"MemoryPressurePauseThreshold": 0}
	}
	return config
}

// maxSegmentEvents bounds the documents a merge makes a segment of (Bleve's
// MaxSegmentSize; a segment of half as many is merged no more). A merge
// reads its sources through their mappings, resident until it is done:
// uncapped, a 1M import's peak went over 800 MiB in 4 of 11 runs, when ten
// segments of ~90k events merged at its end; capped, 540–583 in 8 of 8.
// Word queries at 1M are as fast over 24 segments as over 18.
var maxSegmentEvents = 100_000 // (a variable for the tests)

// mergeWidth is how many segments one merge may take, and how many of a
// size the merger leaves unmerged (Bleve's SegmentsPerMergeTask and
// MaxSegmentsPerTier, 10 by default). An import writes a segment a batch
// of 1,000 events; ten at a time, an event was written again at ~10k and
// again at ~50–100k events, and the merges took 14% of a 200k import's
// CPU. A hundred at a time, the batches' segments go to one of ~50k at
// once. At 1M (`auditlens import`, four alternated pairs): user CPU 136.2,
// 124.6, 135.5, 134.4 → 114.7, 122.4, 123.8, 117.2 s; wall 80.8, 74.6,
// 80.3, 79.8 → 71.2, 73.5, 73.9, 70.3 s; 20–26 segments at the end → 47–88,
// queries over them as fast. (A hundred a merge but ten a size: 126.7 and
// 124.4 s, 26 segments.)
const mergeWidth = 100

// mergePlanOptions are scorch's merge plan options of every index.
func mergePlanOptions() map[string]any {
	return map[string]any{"MaxSegmentSize": maxSegmentEvents, "SegmentsPerMergeTask": mergeWidth, "MaxSegmentsPerTier": mergeWidth}
}

// noMerges keeps the indexes a test opens from merging their segments, so
// that documents written again stay deleted where they were.
var noMerges bool

// ErrBusy: another process has the index open (an import from the command
// line while the case is served). The database still answers.
var ErrBusy = errors.New("the search index is open in another auditlens process")

var (
	keyVersion   = []byte("auditlens.mapping_version")
	keyWatermark = []byte("auditlens.watermark")
)

// Index is the search index of one case.
type Index struct {
	idx bleve.Index
	// writes takes batches (Batch.commit), past bleve.Batch, whose
	// documents must be *document.Document; closed says Close began (mu
	// keeps the two apart, as Bleve's own Batch does).
	writes index.Index
	mu     sync.RWMutex
	closed bool
	fields docFields // how Batch.Add builds a document (document.go)
	shared shared    // the user agent's values, each once (shared.go)
	memo   seqMemo   // seqs by document number, for EachSeq (seqmemo.go)
	// keyReads counts the keys passes have read, not found in the memo
	// (for the tests).
	keyReads atomic.Uint64
	// noBitPass sends every pass through Bleve's searcher and collector,
	// not its bitmaps (eachBitSeq): the tests compare the two.
	noBitPass bool
	// cols answers the terms on the database's fields (columns.go); nil:
	// the documents hold those fields and Bleve answers them.
	cols Columns
	// fieldIDs are the segments' documents' term ids of those fields, for
	// cols.
	fieldIDs fieldTables
	// storedOnly: the documents do not index the stored fields
	// (storedfield.go), which Bleve's searcher then answers through
	// storedQuery. The bit pass answers them from the stored values
	// wherever cols is set.
	storedOnly bool
	// storedReads counts the stored values read (for the tests).
	storedReads atomic.Uint64
}

// Options are how an index is opened.
type Options struct {
	// Columns answers a query's terms on the fields the database keeps,
	// which documents then leave out (Bleve's segment build is per term:
	// a 200k import spends 13% less CPU without them). Without Columns the
	// documents hold every field, as an index of the reference does.
	Columns Columns
	// AllFields keeps those fields, and the terms of the stored fields
	// (storedfield.go), in the documents all the same: the index is then
	// also the reference (Search) the tests compare the columns' and the
	// stored values' answers with.
	AllFields bool
	// ReadOnly opens the index as it is, writing nothing (Bleve's
	// read_only: no persister, no merger, its metadata read under a shared
	// lock): an index missing, of another mapping, or unreadable is an
	// error saying so, not rebuilt.
	ReadOnly bool
}

// Open opens the index in dir, creating it when missing. fresh is true when
// the index was (re)created and must be filled from the database: it was
// missing, or of another mapping version.
func Open(dir string, o Options) (x *Index, fresh bool, err error) {
	if o.ReadOnly {
		x, err = openReadOnly(dir)
	} else {
		x, fresh, err = open(dir)
	}
	if err != nil {
		return nil, false, err
	}
	if x.cols = o.Columns; x.cols != nil && !o.AllFields {
		for f := range termFields {
			delete(x.fields, f)
		}
		for f := range storedFields {
			x.fields[f] = slices.DeleteFunc(x.fields[f], func(s fieldSpec) bool { return s.options != index.StoreField })
		}
		x.storedOnly = true
	}
	return x, fresh, nil
}

func open(dir string) (x *Index, fresh bool, err error) {
	idx, err := bleve.OpenUsing(dir, runtimeConfig())
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, false, ErrBusy // never rebuilt: it is in use
	}
	if err == nil {
		// An index of another mapping version is rebuilt, and so is one of
		// a mapping Add cannot follow (none this version made).
		if v, _ := idx.GetInternal(keyVersion); string(v) == MappingVersion {
			if f, err := newDocFields(idx.Mapping()); err == nil {
				return newIndex(idx, f), false, nil
			}
		}
		idx.Close()
		if err := os.RemoveAll(dir); err != nil {
			return nil, false, err
		}
	} else if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		// An unreadable index is rebuilt: the database holds everything.
		if err := os.RemoveAll(dir); err != nil {
			return nil, false, err
		}
	}
	m, err := newMapping()
	if err != nil {
		return nil, false, err
	}
	idx, err = bleve.NewUsing(dir, m, scorch.Name, scorch.Name, runtimeConfig())
	if err != nil {
		return nil, false, fmt.Errorf("creating the search index in %s: %v", dir, err)
	}
	f, err := newDocFields(idx.Mapping())
	if err != nil {
		idx.Close()
		return nil, false, fmt.Errorf("the search index's mapping: %v", err)
	}
	x = newIndex(idx, f)
	b := x.NewBatch()
	b.b.SetInternal(keyVersion, []byte(MappingVersion))
	if err := b.commit(true); err != nil {
		idx.Close()
		return nil, false, err
	}
	return x, true, nil
}

// openReadOnly opens the index in dir without writing in it.
func openReadOnly(dir string) (*Index, error) {
	config := runtimeConfig()
	config["read_only"] = true
	idx, err := bleve.OpenUsing(dir, config)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return nil, errors.New("there is none")
	} else if err != nil {
		return nil, err
	}
	if v, _ := idx.GetInternal(keyVersion); string(v) != MappingVersion {
		idx.Close()
		return nil, fmt.Errorf("it was made by another version of auditlens (mapping %q, this one reads %q)", v, MappingVersion)
	}
	f, err := newDocFields(idx.Mapping())
	if err != nil {
		idx.Close()
		return nil, err
	}
	return newIndex(idx, f), nil
}

func newIndex(idx bleve.Index, f docFields) *Index {
	writes, _ := idx.Advanced() // (Bleve's index never fails it)
	return &Index{idx: idx, writes: writes, fields: f}
}

// Close closes the index.
func (x *Index) Close() error {
	x.mu.Lock()
	x.closed = true
	x.mu.Unlock()
	x.shared.close()
	return x.idx.Close()
}

// Watermark is the seq of the newest event the index holds.
func (x *Index) Watermark() int64 {
	v, _ := x.idx.GetInternal(keyWatermark)
	n, _ := strconv.ParseInt(string(v), 10, 64)
	return n
}

// Batch collects documents and writes them with the new watermark at once.
//
// It hands scorch its documents itself, not through bleve.Batch: scorch
// asks every analysed document its Size, for a statistic of memory used
// that nothing here reads, and a document.Document answers by walking the
// token maps of all its fields again (4.4 s of a 1M import's 151 s of
// CPU). A sizedDoc answers what its values weighed when it was built.
type Batch struct {
	x *Index
	b *index.Batch
	// sharedChunks are the chunks of shared values whose numbers the
	// batch's documents hold (shared.go); err, a failure to read them.
	sharedChunks map[sharedChunkKey]bool
	err          error
}

// NewBatch starts a batch.
func (x *Index) NewBatch() *Batch { return &Batch{x: x, b: index.NewBatch()} }

// DocKey is the document id of the event stored with seq: the seq as 16 hex
// digits, so that ids sort as seqs do. Ties of time are ordered by it, as
// the database orders them by seq, and an import's new documents have ids
// above every older segment's greatest: scorch looks a batch's ids up in a
// segment only when they are not (zap's DocNumbers), so an import no longer
// searches every segment's id dictionary for each new event.
func DocKey(seq int64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[seq&15]
		seq >>= 4
	}
	return string(b[:])
}

// SeqOf reads a DocKey back. (A word query's facets and timeline read one
// for every hit: strconv.ParseUint took 3.5 of a pass's ~30 ms at 91k hits.)
func SeqOf(key string) (int64, error) {
	if len(key) != 16 {
		return 0, notKey(key)
	}
	var n uint64
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case '0' <= c && c <= '9':
			n = n<<4 | uint64(c-'0')
		case 'a' <= c && c <= 'f':
			n = n<<4 | uint64(c-'a'+10)
		default:
			return 0, notKey(key)
		}
	}
	if n > math.MaxInt64 {
		return 0, notKey(key)
	}
	return int64(n), nil
}

func notKey(key string) error { return fmt.Errorf("%q is not a document key of this index", key) }

// Doc is an event to index and the seq it is stored with.
type Doc struct {
	Seq   int64
	Event *audit.Event
}

// Add queues ev, the event stored with seq.
func (b *Batch) Add(seq int64, ev *audit.Event) error {
	doc := b.x.fields.document(DocKey(seq), ev, b.share)
	if err := b.err; err != nil {
		b.err = nil
		return err
	}
	doc.AddField(newTimeField(ev.Time))
	b.b.Update(sizedDoc{doc, int(doc.NumPlainTextBytes())})
	return nil
}

// Size is the number of queued documents.
func (b *Batch) Size() int { return len(b.b.IndexOps) + len(b.b.InternalOps) }

// Commit writes the queued documents and the watermark; durable waits
// until they are on disk.
func (b *Batch) Commit(watermark int64, durable bool) error {
	b.b.SetInternal(keyWatermark, []byte(strconv.FormatInt(watermark, 10)))
	return b.commit(durable)
}

// Write writes the queued documents alone, not durably: the caller moves
// the watermark when this batch and every one before it are written.
func (b *Batch) Write() error { return b.commit(false) }

// write hands b to scorch unless the index is closed.
func (x *Index) write(b *index.Batch) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return bleve.ErrorIndexClosed
	}
	return x.writes.Batch(b)
}

// persistWait bounds the wait for a durable batch.
const persistWait = 5 * time.Minute

func (b *Batch) commit(durable bool) error {
	var persisted chan error
	if durable {
		persisted = make(chan error, 1)
		b.b.SetPersistedCallback(func(err error) { persisted <- err })
	}
	b.putShared()
	err := b.x.write(b.b)
	b.b.Reset()
	if err != nil || !durable {
		return err
	}
	select {
	case err = <-persisted:
		return err
	case <-time.After(persistWait):
		return fmt.Errorf("the search index did not reach the disk within %s", persistWait)
	}
}

// Update writes one event's document again (its tags changed), durably,
// without moving the watermark.
func (x *Index) Update(seq int64, ev *audit.Event) error {
	b := x.NewBatch()
	if err := b.Add(seq, ev); err != nil {
		return err
	}
	return b.commit(true)
}

// DocCount is the number of indexed events.
func (x *Index) DocCount() (uint64, error) { return x.idx.DocCount() }
