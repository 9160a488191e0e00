package search

import (
	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// eachTermSeq is EachSeq's pass for a query of one term on one field (a
// bare word is one): each segment's postings of the term, less its deleted
// documents, are a bitmap that is walked whole, where Bleve's searcher hands
// one hit at a time (at 1M demo events `acme`, every event: ~34 ms a pass).
// ok is false, and nothing visited, when the query is not one term or the
// index cannot give its postings so.
func (x *Index) eachTermSeq(bq query.Query, visit func(seq int64)) (n uint64, ok bool, err error) {
	tq := singleTerm(bq)
	if tq == nil {
		return 0, false, nil
	}
	field := tq.Field()
	if field == "" {
		field = x.idx.Mapping().DefaultSearchField()
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
	type segHits struct {
		ss   *scorch.SegmentSnapshot
		bm   *roaring.Bitmap // nil: one hit, num1
		num1 uint64
	}
	var all []segHits
	for _, ss := range snap.Segments() {
		dict, err := ss.Segment().Dictionary(field)
		if err != nil {
			return 0, false, err
		}
		pl, err := dict.PostingsList([]byte(tq.Term), ss.Deleted(), nil)
		if err != nil {
			return 0, false, err
		}
		if pl == nil {
			continue
		}
		it, isOpt := pl.Iterator(false, false, false, nil).(segment.OptimizablePostingsIterator)
		if !isOpt {
			return 0, false, nil
		}
		if bm := it.ActualBitmap(); bm != nil {
			all = append(all, segHits{ss: ss, bm: bm})
		} else if num, one := it.DocNum1Hit(); one {
			all = append(all, segHits{ss: ss, num1: num})
		}
	}
	memo := x.memo.begin(snap)
	var start uint64 // the segment's first number in the snapshot
	seg := 0
	hit := func(ss *scorch.SegmentSnapshot, local uint64) error {
		num := start + local
		known, here := memo.seq(num)
		if !here {
			known = memo.seqElsewhere(num)
		}
		seq := int64(known)
		if known == 0 {
			x.keyReads.Add(1)
			key, err := ss.DocID(local)
			if err != nil {
				return err
			}
			if seq, err = SeqOf(string(key)); err != nil {
				return err
			}
			memo.note(num, seq)
		}
		n++
		visit(seq)
		return nil
	}
	for _, ss := range snap.Segments() {
		if seg < len(all) && all[seg].ss == ss {
			h := all[seg]
			seg++
			if h.bm == nil {
				if err := hit(ss, h.num1); err != nil {
					return 0, true, err
				}
			} else {
				it := h.bm.Iterator()
				for it.HasNext() {
					if err := hit(ss, uint64(it.Next())); err != nil {
						return 0, true, err
					}
				}
			}
		}
		start += ss.Segment().Count()
	}
	return n, true, nil
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
