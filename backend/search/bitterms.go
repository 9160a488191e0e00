package search

import (
	"errors"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	vregexp "github.com/blevesearch/vellum/regexp"
)

// The parts of a query eachBitSeq reads from the segments' dictionaries
// and postings themselves: a term, a wildcard, a regular expression or a
// fuzzy term, a time range.

// term is a term's documents in each segment: its postings, less the
// deleted documents (ok false: not to be had as bitmaps). Not to be
// changed: a bitmap may be the segment's own.
func (b *bitHits) term(q *query.TermQuery) (segBits, bool, error) {
	field := b.field(q.FieldVal)
	bits := make(segBits, len(b.segs))
	for i, ss := range b.segs {
		dict, err := ss.Segment().Dictionary(field)
		if err != nil {
			return nil, false, err
		}
		var pr postingsReader // (one a segment: each bitmap is kept)
		bm, ok, err := pr.read(dict, q.Term, ss.Deleted())
		if err != nil || !ok {
			return nil, false, err
		}
		bits[i] = bm
	}
	return bits, true, nil
}

// field is the field a query of field name reads: the default field for
// none.
func (b *bitHits) field(name string) string {
	if name == "" {
		return b.m.DefaultSearchField()
	}
	return name
}

// postingsReader reads postings, a term at a time, into the same list and
// iterator (zap's), for a caller that is done with each term's bitmap
// before it reads the next.
type postingsReader struct {
	pl segment.PostingsList
	it segment.PostingsIterator
}

// read is the documents of dict's term, less except (ok false: not to be
// had as a bitmap); the bitmap may be the reader's until its next read.
func (r *postingsReader) read(dict segment.TermDictionary, term string, except *roaring.Bitmap) (*roaring.Bitmap, bool, error) {
	pl, err := dict.PostingsList([]byte(term), except, r.pl)
	if err != nil {
		return nil, false, err
	}
	if pl == nil {
		return roaring.New(), true, nil
	}
	r.pl = pl
	r.it = pl.Iterator(false, false, false, r.it)
	it, isOpt := r.it.(segment.OptimizablePostingsIterator)
	if !isOpt {
		return nil, false, nil
	}
	if bm := it.ActualBitmap(); bm != nil {
		return bm, true, nil
	}
	if num, one := it.DocNum1Hit(); one {
		return roaring.BitmapOf(uint32(num)), true, nil
	}
	return roaring.New(), true, nil
}

// pattern is the documents of the terms of field that the regular
// expression matches whole: in each segment, its dictionary's terms the
// automaton accepts, their postings together, as Bleve's searcher finds the
// same terms (NewRegexpStringSearcher: the same automaton over the
// snapshot's dictionary) and hands their documents one at a time (`acm*`,
// every event of 1M: ~50 ms a pass). An expression the automaton cannot be
// built of, or a limit on the terms a query may take, is the searcher's.
func (b *bitHits) pattern(field, expr string) (segBits, bool, bool, error) {
	if searcher.DisjunctionMaxClauseCount != 0 {
		return nil, false, false, nil
	}
	field = b.field(field)
	a, err := vregexp.New(expr)
	if err != nil {
		return nil, false, false, nil
	}
	bits, ok, err := b.union(field, func(dict segment.TermDictionary, term func(string) error) error {
		it := termsOf(dict, a, nil, nil)
		for {
			e, err := it.Next()
			if err != nil || e == nil {
				return err
			}
			if err := term(e.Term); err != nil {
				return err
			}
		}
	})
	return bits, false, ok, err
}

// union is, in each segment, the documents of the terms of field that
// terms hands for its dictionary, together.
func (b *bitHits) union(field string, terms func(dict segment.TermDictionary, term func(string) error) error) (segBits, bool, error) {
	bits := b.empty()
	var pr postingsReader
	for i, ss := range b.segs {
		dict, err := ss.Segment().Dictionary(field)
		if err != nil {
			return nil, false, err
		}
		err = terms(dict, func(t string) error {
			bm, isBits, err := pr.read(dict, t, ss.Deleted())
			if err == nil && !isBits {
				return errNotBits
			}
			if err == nil {
				bits[i].Or(bm)
			}
			return err
		})
		if err == errNotBits {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
	return bits, true, nil
}

// errNotBits stops union where a term's postings are not to be had as a
// bitmap.
var errNotBits = errors.New("postings not to be had as a bitmap")

// fuzzy is a fuzzy term's documents: those of the terms of the field
// within its edit distance (and with its prefix), as Bleve's searcher finds
// them (NewFuzzySearcher: the snapshot's dictionary through the same
// Levenshtein automaton), each term's postings in each segment together,
// where the searcher hands them one at a time (`acme~1`, every event of
// 1M: ~55 ms a pass). Automatic fuzziness (which the query syntax does not
// make), a fuzziness Bleve refuses, or a limit on the terms a query may
// take, is the searcher's.
func (b *bitHits) fuzzy(q *query.FuzzyQuery) (segBits, bool, bool, error) {
	if auto, known := unexported(q, "autoFuzzy"); !known || auto || q.Fuzziness < 0 || q.Fuzziness > searcher.MaxFuzziness ||
		searcher.DisjunctionMaxClauseCount != 0 {
		return b.searched(q)
	}
	field := b.field(q.FieldVal)
	terms := []string{q.Term}
	if q.Fuzziness > 0 {
		prefix := q.Term // (cut at the first rune boundary at or after the prefix, as Bleve does)
		for i := range q.Term {
			if i >= q.Prefix {
				prefix = q.Term[:i]
				break
			}
		}
		fd, _, err := b.snap.FieldDictFuzzyAutomaton(field, q.Term, q.Fuzziness, prefix)
		if err != nil {
			return nil, false, false, err
		}
		terms = terms[:0]
		e, err := fd.Next()
		for ; err == nil && e != nil; e, err = fd.Next() {
			terms = append(terms, e.Term)
		}
		if cerr := fd.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, false, false, err
		}
	}
	bits, ok, err := b.union(field, func(_ segment.TermDictionary, term func(string) error) error {
		for _, t := range terms {
			if err := term(t); err != nil {
				return err
			}
		}
		return nil
	})
	return bits, false, ok, err
}

// times is a time range's documents: those of each segment whose time is
// in it, as the key memo holds the segment's times (segmentTimes: each
// document's read once for the segment's life). At 1M demo events,
// `auditlens search 'time:>"2026-10-01T00:00:00Z"'` (a process of its own)
// took 0.07 s by the terms the index kept until mapping 19, and takes 0.14
// s reading every document's time.
func (b *bitHits) times(r timeRange) (segBits, error) {
	bits := b.empty()
	if r.lo > r.hi {
		return bits, nil
	}
	var in []uint32
	for i, ss := range b.segs {
		times, err := b.x.segmentTimes(b.memo, i, ss)
		if err != nil {
			return nil, err
		}
		in = in[:0]
		for local, ns := range times {
			if r.lo <= ns && ns <= r.hi {
				in = append(in, uint32(local))
			}
		}
		bits[i].AddMany(in)
		if del := ss.Deleted(); del != nil {
			bits[i].AndNot(del)
		}
	}
	return bits, nil
}

// termsOf iterates over the terms of dict that a accepts (nil: every one)
// from start to end (excluded; nil: open), without counting their documents
// where the dictionary can (zap's would read each term's postings for it).
func termsOf(dict segment.TermDictionary, a segment.Automaton, start, end []byte) segment.DictionaryIterator {
	if oc, ok := dict.(interface {
		AutomatonIteratorOmitCount(a segment.Automaton, start, end []byte) segment.DictionaryIterator
	}); ok {
		return oc.AutomatonIteratorOmitCount(a, start, end)
	}
	return dict.AutomatonIterator(a, start, end)
}
