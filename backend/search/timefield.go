package search

import (
	"context"
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	"github.com/blevesearch/bleve/v2/size"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// An event's time is a stored field of its document, "time", as Bleve
// stores a date (prefix-coded nanoseconds), and no term (mapping 19).
// Until then it was one term, the exact time, with its doc value: a term
// unique to nearly every event, with its dictionary entry, postings and
// doc value, built and merged again and again (below). Bleve's date field
// indexes 16 terms an event (a term every 4 bits); until mapping 12 the
// index kept 9, which cost a fifth of an import's CPU.
//
// A stored field is read with the document's key, in one visit of its
// stored data (timeReader): EachKey, EachTime, Search (the reference) and
// the query string's time: ranges read it so. The service asks the index
// for no time range: the database's columns keep a word query's hits in
// its range (store.Hits). A range tests every document's time, as the key
// memo holds them once read (seqmemo.go).
//
// At 1M demo events (`auditlens import`, seven alternated pairs): user CPU
// median 113.0 → 107.9 s, lower in six pairs; wall median 62.9 → 60.8 s;
// the index 246 → 229 MiB. `auditlens search acme` (1M hits, the times of
// a process that has not read the columns) 0.23 → 0.17 s; a time: range
// over the whole case reads every document's time once, 0.07 → 0.14 s.
// Keys that held the time (the seq and the time, 32 hex digits, read from
// the key) saved nothing: each key's 16 unique bytes cost the key's FST
// what the term had (two pairs: 114.0, 106.5 s against 114.8, 106.7).

const timeFieldName = "time"

// timeField is the stored field of an event's time.
type timeField struct {
	value numeric.PrefixCoded // the exact time, shift 0
}

var _ document.Field = (*timeField)(nil)

// newTimeField is the field of the time t.
func newTimeField(t time.Time) *timeField {
	return &timeField{value: numeric.MustNewPrefixCodedInt64(t.UnixNano(), 0)}
}

func (f *timeField) Name() string                                     { return timeFieldName }
func (f *timeField) Value() []byte                                    { return f.value }
func (f *timeField) ArrayPositions() []uint64                         { return nil }
func (f *timeField) EncodedFieldType() byte                           { return 'd' }
func (f *timeField) NumPlainTextBytes() uint64                        { return 8 }
func (f *timeField) AnalyzedLength() int                              { return 0 }
func (f *timeField) Options() index.FieldIndexingOptions              { return index.StoreField }
func (f *timeField) AnalyzedTokenFrequencies() index.TokenFrequencies { return nil }
func (f *timeField) Analyze()                                         {}

func (f *timeField) Size() int {
	return int(unsafe.Sizeof(*f)) + size.SizeOfPtr + len(f.value)
}

// docTime reads a stored time: the prefix-coded nanoseconds, shift 0.
func docTime(value []byte) (int64, bool) {
	p := numeric.PrefixCoded(value)
	if shift, err := p.Shift(); err != nil || shift != 0 {
		return 0, false
	}
	ns, err := p.Int64()
	return ns, err == nil
}

// timeReader reads documents' seqs and times from their stored data.
type timeReader struct {
	seq, ns    int64
	err        error
	hasTime    bool
	visitField segment.StoredFieldValueVisitor
}

func newTimeReader() *timeReader {
	r := &timeReader{}
	r.visitField = r.visit
	return r
}

func (r *timeReader) visit(field string, _ byte, value []byte, _ []uint64) bool {
	switch field {
	case "_id":
		r.seq, r.err = SeqOf(string(value))
		return r.err == nil
	case timeFieldName:
		r.ns, r.hasTime = docTime(value)
		return false
	}
	return true
}

// read is the seq and the time of document local of ss.
func (r *timeReader) read(ss *scorch.SegmentSnapshot, local uint64) (seq, ns int64, err error) {
	r.err, r.hasTime = nil, false
	if err := ss.VisitDocument(local, r.visitField); err != nil {
		return 0, 0, err
	}
	if r.err != nil {
		return 0, 0, r.err
	}
	if !r.hasTime { // (Batch.Add gives every document its time)
		return 0, 0, fmt.Errorf("document %d has no time", r.seq)
	}
	return r.seq, r.ns, nil
}

// eachTimed makes one unscored pass over bq's hits through Bleve's searcher
// (eachMatch), handing each to the handler begin makes for the pass with
// its seq and stored time, and returns the number of hits.
func (x *Index) eachTimed(bq query.Query, begin func(r index.IndexReader) (func(d *search.DocumentMatch, seq, ns int64) error, error)) (uint64, error) {
	return x.eachMatch(bq, func(sc *search.SearchContext) (func(*search.DocumentMatch) error, error) {
		times, err := newSnapshotTimes(sc.IndexReader)
		if err != nil {
			return nil, err
		}
		h, err := begin(sc.IndexReader)
		if err != nil {
			return nil, err
		}
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return nil
			}
			seq, ns, err := times.at(docNum(d.IndexInternalID))
			if err != nil {
				return err
			}
			return h(d, seq, ns)
		}, nil
	})
}

// snapshotTimes reads the seqs and times of a snapshot's documents by their
// number in it.
type snapshotTimes struct {
	snapshotSegs
	r *timeReader
}

func newSnapshotTimes(i index.IndexReader) (*snapshotTimes, error) {
	segs, err := newSnapshotSegs(i)
	if err != nil {
		return nil, err
	}
	return &snapshotTimes{segs, newTimeReader()}, nil
}

// at is the seq and time of document num.
func (t *snapshotTimes) at(num uint64) (seq, ns int64, err error) {
	ss, local, err := t.locate(num)
	if err != nil {
		return 0, 0, err
	}
	return t.r.read(ss, local)
}

// timeRange matches the events with lo <= time <= hi (nanoseconds).
type timeRange struct{ lo, hi int64 }

// newTimeRange is [from, to) where a zero time leaves that side open.
func newTimeRange(from, to time.Time) timeRange {
	lo, hi, hiIn := int64(math.MinInt64), int64(math.MaxInt64), true
	if !from.IsZero() {
		lo = from.UnixNano()
	}
	if !to.IsZero() {
		hi, hiIn = to.UnixNano(), false
	}
	return between(lo, true, hi, hiIn)
}

// between is the range from lo to hi, each bound inclusive or not. An
// exclusive bound at int64's end leaves nothing, rather than wrapping.
func between(lo int64, loIn bool, hi int64, hiIn bool) timeRange {
	if (!loIn && lo == math.MaxInt64) || (!hiIn && hi == math.MinInt64) {
		return timeRange{0, -1}
	}
	if !loIn {
		lo++
	}
	if !hiIn {
		hi--
	}
	return timeRange{lo, hi}
}

// representable says whether Bleve can hold t as nanoseconds (years 1678 to 2262).
func representable(t time.Time) bool {
	return t.IsZero() || (!t.Before(document.MinTimeRepresentable) && !t.After(document.MaxTimeRepresentable))
}

func (r timeRange) Searcher(ctx context.Context, i index.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if r.lo > r.hi {
		return nothing(ctx, i, options)
	}
	times, err := newSnapshotTimes(i)
	if err != nil {
		return nil, err
	}
	all, err := searcher.NewMatchAllSearcher(ctx, i, 1, options)
	if err != nil {
		return nil, err
	}
	return searcher.NewFilteringSearcher(ctx, all, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		_, ns, err := times.at(docNum(d.IndexInternalID))
		return err == nil && r.lo <= ns && ns <= r.hi
	}), nil
}

// nothing is a searcher of no document that a query string's conjunction
// keeps: it leaves out a match-none searcher (a stop word's), and a range no
// event is in was left out so: `+payments +time:>"2030-01-01"` listed every
// event with payments. No document has a term on time.
func nothing(ctx context.Context, i index.IndexReader, options search.SearcherOptions) (search.Searcher, error) {
	return searcher.NewTermSearcherBytes(ctx, i, []byte{}, timeFieldName, 1, options)
}
