package search

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// eachBitSeq is EachSeq's and EachKey's pass over a query's hits as
// bitmaps: for each segment, a term's documents are its postings (less the
// segment's deleted documents), a wildcard's or a regular expression's the
// postings of the terms it matches, a fuzzy term's those of the terms
// within its distance, a time range's read by segment (bitterms.go); the
// query string's booleans, conjunctions and disjunctions of them are the
// bitmaps' intersections, unions and differences, as Bleve's searchers
// would combine them (bitHits.eval); any other query inside (a phrase) is
// its own searcher's hits, set in a bitmap. The hits are then walked whole
// and looked up in the key memo, where Bleve's searchers hand one hit at a
// time through its collector. At 1M demo events `acme`, every event: ~34 ms
// a pass through the searcher, ~8 so. ok is false, and nothing visited,
// when the query holds a shape this does not know (a filter, a disjunction
// of a least count above one) or the index cannot give its postings so.
func (x *Index) eachBitSeq(bq query.Query, visitSeq func(seq int64), visitKey func(seq, ns int64)) (n uint64, ok bool, err error) {
	reader, err := snapshot(x.idx)
	if err != nil {
		return 0, false, err
	}
	defer reader.Close()
	snap, isScorch := reader.(*scorch.IndexSnapshot)
	if !isScorch {
		return 0, false, nil
	}
	// Every segment's hits first, so that nothing is visited unless all of
	// them can be had.
	b := newBitHits(x, snap)
	hits, none, ok, err := b.eval(bq)
	if err != nil || !ok {
		return 0, false, err
	}
	if none {
		return 0, true, nil
	}
	memo := b.memo
	var r *timeReader
	if visitKey != nil {
		r = newTimeReader()
	}
	for i, ss := range b.segs {
		var times []int64 // (visitKey: the segment's, when the memo has them)
		if visitKey != nil {
			times = memo.knownTimes(i)
		}
		it := hits[i].Iterator()
		for it.HasNext() {
			local := uint64(it.Next())
			num := memo.segs[i].start + local
			known, here := memo.seq(num)
			if !here {
				known = memo.seqElsewhere(num)
			}
			seq, ns := int64(known), int64(0)
			var err error
			switch {
			case visitKey != nil && (known == 0 || times == nil):
				seq, ns, err = x.readTime(memo, r, ss, num, local)
			case visitKey != nil:
				ns = times[local]
			case known == 0:
				var key []byte
				if key, err = ss.DocID(local); err == nil {
					seq, err = x.readKey(memo, num, string(key))
				}
			}
			if err != nil {
				return 0, true, err
			}
			n++
			if visitKey != nil {
				visitKey(seq, ns)
			} else {
				visitSeq(seq)
			}
		}
	}
	return n, true, nil
}

// segBits are a query's documents in each segment of a snapshot, by their
// number in the segment. A bitmap may be a segment's own postings: none is
// changed, every operation makes a new one.
type segBits []*roaring.Bitmap

// bitHits evaluates queries over one snapshot.
type bitHits struct {
	x    *Index
	snap *scorch.IndexSnapshot
	snapshotSegs
	m    mapping.IndexMapping
	memo *memoPass // the key memo over snap: the hits' seqs, and the documents' a column tests
}

func newBitHits(x *Index, snap *scorch.IndexSnapshot) *bitHits {
	b := &bitHits{x: x, snap: snap, snapshotSegs: segsOf(snap), m: x.idx.Mapping(), memo: x.memo.begin(snap)}
	if x.cols != nil {
		x.fieldIDs.keep(snap) // (as the memo's begin keeps its tables)
	}
	return b
}

// snapshotSegs are a snapshot's segments, each with the number of its
// first document in the snapshot.
type snapshotSegs struct {
	segs   []*scorch.SegmentSnapshot
	starts []uint64
}

func segsOf(snap *scorch.IndexSnapshot) snapshotSegs {
	s := snapshotSegs{segs: snap.Segments()}
	var start uint64
	for _, ss := range s.segs {
		s.starts = append(s.starts, start)
		start += ss.Segment().Count()
	}
	return s
}

// newSnapshotSegs is segsOf a reader's snapshot (Bleve's searchers are
// handed the snapshot as a reader).
func newSnapshotSegs(i index.IndexReader) (snapshotSegs, error) {
	snap, ok := i.(*scorch.IndexSnapshot)
	if !ok {
		return snapshotSegs{}, fmt.Errorf("a reader of type %T", i)
	}
	return segsOf(snap), nil
}

// locate is the segment of document num, and its number there.
func (s snapshotSegs) locate(num uint64) (*scorch.SegmentSnapshot, uint64, error) {
	j := sort.Search(len(s.starts), func(i int) bool { return s.starts[i] > num }) - 1
	if j < 0 || num-s.starts[j] >= s.segs[j].Segment().Count() {
		return nil, 0, fmt.Errorf("no document %d", num)
	}
	return s.segs[j], num - s.starts[j], nil
}

// snapshot is a reader of idx as it is now (to be closed).
func snapshot(idx bleve.Index) (index.IndexReader, error) {
	ai, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	return ai.Reader()
}

// searcherOptions are those of eachMatch's unscored search.
var searcherOptions = search.SearcherOptions{Score: "none"}

// eval is q's documents. none is true where Bleve's searcher for q would be
// its match-none searcher, which the query string's conjunctions and
// disjunctions skip and a boolean query leaves out (a word that is only a
// stop word); ok is false where q holds a shape eval does not know.
func (b *bitHits) eval(q query.Query) (bits segBits, none, ok bool, err error) {
	return b.evalWithin(q, nil)
}

// evalWithin is eval where only q's documents among within's matter (nil:
// all): a term on a database's field is tested on those alone (column),
// any other part may give more.
func (b *bitHits) evalWithin(q query.Query, within segBits) (bits segBits, none, ok bool, err error) {
	if sq, ok, err := b.storedOf(q); err != nil || ok {
		if err != nil {
			return nil, false, false, err
		}
		return b.stored(sq, within)
	}
	if field, ok := b.columnField(q); ok {
		return b.column(q, field, within)
	}
	switch q := q.(type) {
	case *query.TermQuery:
		bits, ok, err := b.term(q)
		return bits, false, ok, err
	case *query.WildcardQuery:
		return b.pattern(q.FieldVal, wildcardRegexp.Replace(q.Wildcard))
	case *query.RegexpQuery:
		return b.pattern(q.FieldVal, strings.TrimPrefix(q.Regexp, "^")) // (as RegexpQuery.Searcher)
	case *query.FuzzyQuery:
		return b.fuzzy(q)
	case timeRange:
		bits, err := b.times(q)
		return bits, false, err == nil, err
	case *query.MatchAllQuery:
		return b.all(), false, true, nil
	case *query.MatchNoneQuery:
		return nil, true, true, nil
	case *query.BooleanQuery:
		return b.boolean(q, within)
	case *query.ConjunctionQuery:
		qs, known := queryStringMode(q)
		if !known {
			return nil, false, false, nil
		}
		// Parts naming the database's fields or stored fields last, tested
		// on the others' documents.
		var words, fields []query.Query
		for _, c := range q.Conjuncts {
			if b.x.cols != nil && (namesDatabaseField(c) || namesStoredField(c)) {
				fields = append(fields, c)
			} else {
				words = append(words, c)
			}
		}
		var parts []segBits
		for i, c := range slices.Concat(words, fields) {
			in := within
			if i >= len(words) && len(parts) > 0 {
				in = b.and(slices.Concat(parts, nonNil(within)))
			}
			cb, cnone, ok, err := b.evalWithin(c, in)
			if err != nil || !ok {
				return nil, false, ok, err
			}
			switch {
			case !cnone:
				parts = append(parts, cb)
			case !qs: // Bleve's conjunction over a match-none searcher: nothing
				parts = append(parts, b.empty())
			}
		}
		if len(parts) == 0 {
			return nil, true, true, nil
		}
		return b.and(parts), false, true, nil
	case *query.DisjunctionQuery:
		if q.Min > 1 {
			return nil, false, false, nil
		}
		qs, known := queryStringMode(q)
		if !known {
			return nil, false, false, nil
		}
		var parts []segBits
		kept := 0
		for _, d := range q.Disjuncts {
			db, dnone, ok, err := b.evalWithin(d, within)
			if err != nil || !ok {
				return nil, false, ok, err
			}
			if dnone && qs {
				continue
			}
			kept++ // (outside the query string a match-none searcher is kept, and adds nothing)
			if !dnone {
				parts = append(parts, db)
			}
		}
		if kept == 0 {
			return nil, true, true, nil
		}
		return b.or(parts), false, true, nil
	}
	return b.searched(q)
}

// boolean is a boolean query's documents as Bleve's BooleanQuery.Searcher
// and BooleanSearcher make them: a part whose searcher is match-none is
// left out; the musts, less the must-nots; a should beside a must filters
// only where its searcher asks for at least one match (the query string's
// do not); a should alone is its documents; must-nots alone take from
// every document.
func (b *bitHits) boolean(q *query.BooleanQuery, within segBits) (segBits, bool, bool, error) {
	if q.Filter != nil {
		return nil, false, false, nil
	}
	part := func(p query.Query, within segBits) (segBits, bool, error) { // nil: left out
		if p == nil {
			return nil, true, nil
		}
		bits, none, ok, err := b.evalWithin(p, within)
		if none {
			bits = nil
		}
		return bits, ok, err
	}
	must, ok, err := part(q.Must, within)
	if err != nil || !ok {
		return nil, false, ok, err
	}
	var should segBits
	if q.Should != nil {
		filters := true
		if must != nil {
			if filters, err = b.filtersBesideMust(q.Should); err != nil {
				return nil, false, false, err
			}
		}
		if filters {
			if should, ok, err = part(q.Should, firstOf(must, within)); err != nil || !ok {
				return nil, false, ok, err
			}
		}
	}
	var hits segBits // nil: every live document
	switch {
	case must != nil && should != nil:
		hits = b.and([]segBits{must, should})
	case must != nil:
		hits = must
	case should != nil:
		hits = should
	}
	// The must-nots matter among those documents only.
	mustNot, ok, err := part(q.MustNot, firstOf(hits, within))
	if err != nil || !ok {
		return nil, false, ok, err
	}
	switch {
	case hits == nil && mustNot == nil:
		return nil, true, true, nil
	case hits == nil:
		hits = b.all()
	}
	if mustNot != nil {
		hits = b.andNot(hits, mustNot)
	}
	return hits, false, true, nil
}

// firstOf is a if not nil, else b.
func firstOf(a, b segBits) segBits {
	if a != nil {
		return a
	}
	return b
}

// filtersBesideMust is whether a should beside a must keeps only the must's
// documents it matches: where its searcher's least count of matches is
// above zero (BooleanSearcher; the query string's disjunctions ask for
// none, a match query of the OR operator for one).
func (b *bitHits) filtersBesideMust(should query.Query) (bool, error) {
	s, err := should.Searcher(context.Background(), b.snap, b.m, searcherOptions)
	if err != nil {
		return false, err
	}
	defer s.Close()
	if _, none := s.(*searcher.MatchNoneSearcher); none {
		return false, nil
	}
	return s.Min() > 0, nil
}

// searched is q's documents as its own searcher hands them.
func (b *bitHits) searched(q query.Query) (segBits, bool, bool, error) {
	s, err := q.Searcher(context.Background(), b.snap, b.m, searcherOptions)
	if err != nil {
		return nil, false, false, err
	}
	defer s.Close()
	if _, none := s.(*searcher.MatchNoneSearcher); none {
		return nil, true, true, nil
	}
	bits := b.empty()
	sc := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	i := 0
	for {
		d, err := s.Next(sc)
		if err != nil {
			return nil, false, false, err
		}
		if d == nil {
			return bits, false, true, nil
		}
		num := docNum(d.IndexInternalID)
		for i+1 < len(b.starts) && num >= b.starts[i+1] { // hits come in the order of numbers
			i++
		}
		if len(b.segs) == 0 || num < b.starts[i] || num-b.starts[i] >= b.segs[i].Segment().Count() {
			return nil, false, false, nil // not a number of this snapshot's
		}
		bits[i].Add(uint32(num - b.starts[i]))
		sc.DocumentMatchPool.Put(d)
	}
}

// all is every live document of the snapshot.
func (b *bitHits) all() segBits {
	bits := make(segBits, len(b.segs))
	for i, ss := range b.segs {
		bits[i] = live(ss)
	}
	return bits
}

// live is every document of ss not deleted.
func live(ss *scorch.SegmentSnapshot) *roaring.Bitmap {
	bm := roaring.New()
	bm.AddRange(0, ss.Segment().Count())
	if del := ss.Deleted(); del != nil {
		bm.AndNot(del)
	}
	return bm
}

func (b *bitHits) empty() segBits {
	bits := make(segBits, len(b.segs))
	for i := range bits {
		bits[i] = roaring.New()
	}
	return bits
}

// nonNil is bits as parts of an and: none for nil (every document).
func nonNil(bits segBits) []segBits {
	if bits == nil {
		return nil
	}
	return []segBits{bits}
}

func (b *bitHits) and(parts []segBits) segBits { return b.each(parts, roaring.FastAnd) }

func (b *bitHits) or(parts []segBits) segBits { return b.each(parts, roaring.FastOr) }

// each is op over the parts' bitmaps of each segment.
func (b *bitHits) each(parts []segBits, op func(...*roaring.Bitmap) *roaring.Bitmap) segBits {
	if len(parts) == 1 {
		return parts[0]
	}
	bits := make(segBits, len(b.segs))
	each := make([]*roaring.Bitmap, len(parts))
	for i := range bits {
		for j, p := range parts {
			each[j] = p[i]
		}
		bits[i] = op(each...)
	}
	return bits
}

func (b *bitHits) andNot(hits, not segBits) segBits {
	bits := make(segBits, len(b.segs))
	for i := range bits {
		bits[i] = roaring.AndNot(hits[i], not[i])
	}
	return bits
}

// queryStringMode is whether the query parser made q (a conjunction or
// disjunction), which Bleve keeps unexported: its searcher then skips the
// parts whose searcher is match-none. known is false if Bleve no longer
// keeps it so.
func queryStringMode(q query.Query) (qs, known bool) { return unexported(q, "queryStringMode") }

// unexported is the value of a query's unexported bool field (known false:
// the query has no such field).
func unexported(q query.Query, name string) (value, known bool) {
	v := reflect.ValueOf(q)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return false, false
	}
	f := v.Elem().FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Bool {
		return false, false
	}
	return f.Bool(), true
}
