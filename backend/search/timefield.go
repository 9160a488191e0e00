package search

import (
	"context"
	"math"
	"time"
	"unsafe"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	"github.com/blevesearch/bleve/v2/size"
	index "github.com/blevesearch/bleve_index_api"
)

// The time of an event is indexed as Bleve indexes a date, in prefix-coded
// nanoseconds, but as one term, the exact time, in the field "time": its
// doc value, which Bleve's sort reads (Search, the reference) and EachTime
// (the index's own timeline). Bleve's date field indexes 16 terms an event
// (a term every 4 bits), so that a range reads a few terms a precision;
// until mapping 12 the index kept 9 (the exact one and 8 coarser ones in a
// field of their own). Those coarse terms cost a fifth of an import's CPU
// (100k demo: 15.6–16.0 s of user CPU without them, 18.8–20.9 with), and
// the service no longer asks the index for time ranges: the database's
// columns keep a word query's hits in its range (store.Hits). A range left
// here (the query string's time:, and the reference's own ranges) takes
// the events' exact terms when they are few (timeRangeTerms), else tests
// every document's doc value.

const timeFieldName = "time"

// timeField is the indexed field of an event's time.
type timeField struct {
	value numeric.PrefixCoded // the exact time, shift 0
	freqs index.TokenFrequencies
	n     int
}

var _ document.Field = (*timeField)(nil)

// newTimeField is the field of the time t.
func newTimeField(t time.Time) *timeField {
	return &timeField{value: numeric.MustNewPrefixCodedInt64(t.UnixNano(), 0)}
}

func (f *timeField) Name() string              { return timeFieldName }
func (f *timeField) Value() []byte             { return f.value }
func (f *timeField) ArrayPositions() []uint64  { return nil }
func (f *timeField) EncodedFieldType() byte    { return 'd' }
func (f *timeField) NumPlainTextBytes() uint64 { return 8 }
func (f *timeField) AnalyzedLength() int       { return f.n }
func (f *timeField) Options() index.FieldIndexingOptions {
	return index.IndexField | index.DocValues
}
func (f *timeField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

func (f *timeField) Analyze() {
	tokens := analysis.TokenStream{{End: len(f.value), Term: f.value, Position: 1, Type: analysis.DateTime}}
	f.n = len(tokens)
	f.freqs = analysis.TokenFrequency(tokens, nil, f.Options())
}

func (f *timeField) Size() int {
	s := int(unsafe.Sizeof(*f)) + size.SizeOfPtr + len(f.value)
	if f.freqs != nil {
		s += f.freqs.Size()
	}
	return s
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

// timeRangeTerms is the most exact terms a range takes from the index;
// past it, the range tests each document's time (a variable for the tests).
var timeRangeTerms = 1024

func (r timeRange) Searcher(ctx context.Context, i index.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if r.lo > r.hi {
		return nothing(ctx, i, options)
	}
	lo, hi := numeric.MustNewPrefixCodedInt64(r.lo, 0), numeric.MustNewPrefixCodedInt64(r.hi, 0)
	terms, err := dictRange(i, lo, hi, timeRangeTerms)
	if err != nil {
		return nil, err
	}
	if terms != nil {
		if len(terms) == 0 {
			return nothing(ctx, i, options)
		}
		return searcher.NewMultiTermSearcherBytes(ctx, i, terms, timeFieldName, 1, options, false)
	}
	all, err := searcher.NewMatchAllSearcher(ctx, i, 1, options)
	if err != nil {
		return nil, err
	}
	dvs, err := i.DocValueReader([]string{timeFieldName})
	if err != nil {
		all.Close()
		return nil, err
	}
	return searcher.NewFilteringSearcher(ctx, all, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		in := false
		_ = dvs.VisitDocValues(d.IndexInternalID, func(_ string, term []byte) {
			if ns, ok := docTime(term); ok && r.lo <= ns && ns <= r.hi {
				in = true
			}
		})
		return in
	}), nil
}

// nothing is a searcher of no document that a query string's conjunction
// keeps: it leaves out a match-none searcher (a stop word's), and a range no
// event is in was left out so: `+payments +time:>"2030-01-01"` listed every
// event with payments. No document has the empty term on time.
func nothing(ctx context.Context, i index.IndexReader, options search.SearcherOptions) (search.Searcher, error) {
	return searcher.NewTermSearcherBytes(ctx, i, []byte{}, timeFieldName, 1, options)
}

// dictRange is the time terms the index holds from lo to hi (both
// included), or nil when there are more than max.
func dictRange(i index.IndexReader, lo, hi []byte, max int) ([][]byte, error) {
	d, err := i.FieldDictRange(timeFieldName, lo, hi)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	terms := [][]byte{}
	for {
		e, err := d.Next()
		if err != nil || e == nil {
			return terms, err
		}
		if len(terms) == max {
			return nil, nil
		}
		terms = append(terms, []byte(e.Term))
	}
}
