package search

import (
	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// eachTermSeq is EachSeq's pass for a query of one term on one field (a
// bare word is one), less any documents of terms it excludes (`acme
// -actor.label:ilert`): each segment's postings of the term, less its
// deleted documents and those of the excluded terms, are a bitmap that is
// walked whole, where Bleve's searcher hands one hit at a time (at 1M demo
// events `acme`, every event: ~34 ms a pass). ok is false, and nothing
// visited, when the query is not of that shape or the index cannot give
// its postings so.
func (x *Index) eachTermSeq(bq query.Query, visit func(seq int64)) (n uint64, ok bool, err error) {
	tq, not := termLessTerms(bq)
	if tq == nil {
		return 0, false, nil
	}
	ai, err := x.idx.Advanced()
	if err != nil {
		return 0, false, err
	}
	reader, err := ai.Reader()
	if err != nil {
		return 0, false, err
	}
	defer reader.Close()
	snap, isScorch := reader.(*scorch.IndexSnapshot)
	if !isScorch {
		return 0, false, nil
	}
	// Each segment's hits first, so that nothing is visited unless all of
	// them can be had.
	hits := make([]*roaring.Bitmap, len(snap.Segments()))
	for i, ss := range snap.Segments() {
		bm, ok, err := x.postings(ss, tq, ss.Deleted())
		if err != nil || !ok {
			return 0, false, err
		}
		for _, nq := range not {
			if bm.IsEmpty() {
				break
			}
			nbm, ok, err := x.postings(ss, nq, nil)
			if err != nil || !ok {
				return 0, false, err
			}
			bm = roaring.AndNot(bm, nbm) // (a new bitmap: the postings' own are the segment's)
		}
		hits[i] = bm
	}
	memo := x.memo.begin(snap)
	for i, ss := range snap.Segments() {
		it := hits[i].Iterator()
		for it.HasNext() {
			local := uint64(it.Next())
			num := memo.segs[i].start + local
			known, here := memo.seq(num)
			if !here {
				known = memo.seqElsewhere(num)
			}
			seq := int64(known)
			if known == 0 {
				key, err := ss.DocID(local)
				if err != nil {
					return 0, true, err
				}
				if seq, err = x.readKey(memo, num, string(key)); err != nil {
					return 0, true, err
				}
			}
			n++
			visit(seq)
		}
	}
	return n, true, nil
}

// postings are the documents of ss holding tq's term, less except (ok
// false: not to be had as a bitmap). Not to be changed: it may be the
// segment's own.
func (x *Index) postings(ss *scorch.SegmentSnapshot, tq *query.TermQuery, except *roaring.Bitmap) (*roaring.Bitmap, bool, error) {
	field := tq.Field()
	if field == "" {
		field = x.idx.Mapping().DefaultSearchField()
	}
	dict, err := ss.Segment().Dictionary(field)
	if err != nil {
		return nil, false, err
	}
	pl, err := dict.PostingsList([]byte(tq.Term), except, nil)
	if err != nil {
		return nil, false, err
	}
	if pl == nil {
		return roaring.New(), true, nil
	}
	it, isOpt := pl.Iterator(false, false, false, nil).(segment.OptimizablePostingsIterator)
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

// termLessTerms is the term q matches and the terms whose documents it
// excludes, if q is only that: a term, or a query string's boolean of a
// term (a should or a must of one, as `acme` and `+acme` parse) and must-nots
// of terms (`acme -outcome:failure -x`).
func termLessTerms(q query.Query) (*query.TermQuery, []*query.TermQuery) {
	bq, ok := q.(*query.BooleanQuery)
	if !ok || bq.MustNot == nil || bq.Filter != nil || (bq.Must == nil) == (bq.Should == nil) {
		return singleTerm(q), nil
	}
	pos := bq.Should
	if bq.Must != nil {
		pos = bq.Must
	}
	tq := singleTerm(pos)
	if tq == nil {
		return nil, nil
	}
	var not []*query.TermQuery
	switch mn := bq.MustNot.(type) {
	case *query.DisjunctionQuery:
		for _, d := range mn.Disjuncts {
			t := singleTerm(d)
			if t == nil {
				return nil, nil
			}
			not = append(not, t)
		}
	default:
		t := singleTerm(mn)
		if t == nil {
			return nil, nil
		}
		not = append(not, t)
	}
	return tq, not
}

// singleTerm is the term query q matches exactly as, if any: q itself, or
// a query string's boolean around it alone (a should or a must of one, as
// `acme` and `+acme` parse).
func singleTerm(q query.Query) *query.TermQuery {
	switch q := q.(type) {
	case *query.TermQuery:
		return q
	case *query.BooleanQuery:
		if q.MustNot != nil || q.Filter != nil || (q.Must == nil) == (q.Should == nil) {
			return nil
		}
		if q.Must != nil {
			return singleTerm(q.Must)
		}
		return singleTerm(q.Should)
	case *query.ConjunctionQuery:
		if len(q.Conjuncts) == 1 {
			return singleTerm(q.Conjuncts[0])
		}
	case *query.DisjunctionQuery:
		if len(q.Disjuncts) == 1 && q.Min <= 1 {
			return singleTerm(q.Disjuncts[0])
		}
	}
	return nil
}
