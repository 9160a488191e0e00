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
// nanoseconds, but at 9 precisions rather than 16, and in two fields. Bleve's
// date field (a term every 4 bits, 16 terms an event, which are also its doc
// values) was a fifth of the index's size and of the time to build it;
// these 9 terms make the index a tenth smaller (30k demo events: 40.6 ->
// 36.7 MiB).
//
// "time" holds the exact time (shift 0), indexed and as the doc value that
// sorting reads (and EachTime, the index's own timeline). "time.coarse" holds the 8
// coarser precisions, indexed only. Zap's doc values are every term of a
// field, so with all 9 in one field every read of a hit's time decompressed
// nine terms to use one: a pass reading the times of a common word's hits
// cost ~100 ms at 1M events, most of it snappy.
//
// A range query takes, at each precision, the terms between a bound and the
// next coarser precision's edge: up to 2^step - 1 of them, but only those
// the index holds. Where a term holds one event or none (below 2^24 ns,
// 17 ms) a step of 8 or 16 bits costs nothing, since the terms there are
// the few events near the bounds; where terms are shared (seconds to
// months) a step of 4 keeps a range to a few terms a precision, as Bleve's
// does. Range queries need timeRange, which knows these precisions and
// fields (Bleve's own range query assumes all 16 in one field and would
// miss events).

const (
	timeFieldName   = "time"
	coarseTimeField = "time.coarse"
)

// timeShifts are the precisions indexed, in bits dropped: the first in
// timeFieldName, the others in coarseTimeField.
var timeShifts = []uint{0, 16, 24, 32, 36, 40, 44, 48, 56}

// fieldOfShift is the field that holds a time's terms of that precision.
func fieldOfShift(shift uint) string {
	if shift == 0 {
		return timeFieldName
	}
	return coarseTimeField
}

// timeField is one of the two indexed fields of an event's time.
type timeField struct {
	name  string
	value numeric.PrefixCoded // the exact time, shift 0
	ns    int64
	freqs index.TokenFrequencies
	n     int
}

var _ document.Field = (*timeField)(nil)

// newTimeFields are the fields of the time t.
func newTimeFields(t time.Time) [2]*timeField {
	ns := t.UnixNano()
	value := numeric.MustNewPrefixCodedInt64(ns, 0)
	return [2]*timeField{{name: timeFieldName, value: value, ns: ns}, {name: coarseTimeField, value: value, ns: ns}}
}

func (f *timeField) Name() string              { return f.name }
func (f *timeField) Value() []byte             { return f.value }
func (f *timeField) ArrayPositions() []uint64  { return nil }
func (f *timeField) EncodedFieldType() byte    { return 'd' }
func (f *timeField) NumPlainTextBytes() uint64 { return 8 }
func (f *timeField) AnalyzedLength() int       { return f.n }
func (f *timeField) Options() index.FieldIndexingOptions {
	if f.name == timeFieldName {
		return index.IndexField | index.DocValues
	}
	return index.IndexField
}
func (f *timeField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

func (f *timeField) Analyze() {
	tokens := make(analysis.TokenStream, 0, len(timeShifts))
	for _, shift := range timeShifts {
		if fieldOfShift(shift) != f.name {
			continue
		}
		term := f.value
		if shift > 0 {
			term = numeric.MustNewPrefixCodedInt64(f.ns, shift)
		}
		tokens = append(tokens, &analysis.Token{End: len(term), Term: term, Position: 1, Type: analysis.DateTime})
	}
	f.n = len(tokens)
	f.freqs = analysis.TokenFrequency(tokens, nil, f.Options())
}

func (f *timeField) Size() int {
	s := int(unsafe.Sizeof(*f)) + size.SizeOfPtr + len(f.name) + len(f.value)
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

func (r timeRange) Searcher(ctx context.Context, i index.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	terms := map[string][][]byte{}
	for _, tr := range splitRange(r.lo, r.hi, timeShifts) {
		shift, err := numeric.PrefixCoded(tr[0]).Shift()
		if err != nil {
			return nil, err
		}
		field := fieldOfShift(shift)
		// Only the terms the index holds: the dictionary between the two
		// ends of each range, rather than every candidate.
		d, err := i.FieldDictRange(field, tr[0], tr[1])
		if err != nil {
			return nil, err
		}
		for {
			e, err := d.Next()
			if err != nil {
				d.Close()
				return nil, err
			}
			if e == nil {
				break
			}
			terms[field] = append(terms[field], []byte(e.Term))
		}
		if err := d.Close(); err != nil {
			return nil, err
		}
	}
	var each []search.Searcher
	for _, field := range []string{timeFieldName, coarseTimeField} {
		if len(terms[field]) == 0 {
			continue
		}
		s, err := searcher.NewMultiTermSearcherBytes(ctx, i, terms[field], field, 1, options, false)
		if err != nil {
			for _, s := range each {
				s.Close()
			}
			return nil, err
		}
		each = append(each, s)
	}
	switch len(each) {
	case 0:
		return searcher.NewMatchNoneSearcher(i)
	case 1:
		return each[0], nil
	}
	return searcher.NewDisjunctionSearcher(ctx, i, each, 0, options)
}

// splitRange covers [lo, hi] with prefix-coded term ranges, each at one of
// shifts (ascending, from 0): Lucene's and Bleve's splitInt64Range
// (search/searcher), with the step from one precision to the next taken
// from shifts rather than fixed. It returns [first, last] term pairs.
func splitRange(lo, hi int64, shifts []uint) [][2][]byte {
	var out [][2][]byte
	add := func(lo, hi int64, shift uint) {
		hi |= int64(1)<<shift - 1
		out = append(out, [2][]byte{numeric.MustNewPrefixCodedInt64(lo, shift), numeric.MustNewPrefixCodedInt64(hi, shift)})
	}
	if lo > hi {
		return nil
	}
	for i, shift := range shifts {
		next := uint(64)
		if i+1 < len(shifts) {
			next = shifts[i+1]
		}
		if next >= 64 {
			add(lo, hi, shift)
			return out
		}
		diff := int64(1) << next
		mask := (int64(1)<<(next-shift) - 1) << shift
		hasLower := lo&mask != 0
		hasUpper := hi&mask != mask
		nextLo, nextHi := lo&^mask, hi&^mask
		if hasLower {
			nextLo = (lo + diff) &^ mask
		}
		if hasUpper {
			nextHi = (hi - diff) &^ mask
		}
		if nextLo > nextHi || nextLo < lo || nextHi > hi {
			add(lo, hi, shift)
			return out
		}
		if hasLower {
			add(lo, lo|mask, shift)
		}
		if hasUpper {
			add(hi&^mask, hi, shift)
		}
		lo, hi = nextLo, nextHi
	}
	return out
}
