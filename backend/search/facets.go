package search

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"auditlens/backend/audit"
	"auditlens/backend/store"
)

// FacetFields are the fields counted beside every search, by their index names.
var FacetFields = []string{"tag", "category", "action", "actor.label", "outcome", "ip", "format", "source"}

// Count is one value of a facet and how many matching events have it.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facet is the top values of one field among the matching events.
type Facet struct {
	Field string  `json:"field"`
	Total int     `json:"total"`
	Other int     `json:"other"` // events whose value is not among the top ones
	Top   []Count `json:"top"`
}

// Facets counts the top size values of each facet field among the events
// matching q, in one pass over the index's doc values: the index's own
// facets, which the service's (from the database) are compared with.
func (x *Index) Facets(q audit.Query, size int) ([]Facet, uint64, error) {
	bq, err := x.compile(q)
	if err != nil {
		return nil, 0, err
	}
	req := bleve.NewSearchRequestOptions(bq, 0, 0, false)
	req.Score = bleve.ScoreNone // no scores: a time range is then one union of its terms
	for _, f := range FacetFields {
		req.AddFacet(f, bleve.NewFacetRequest(f, size))
	}
	res, err := x.idx.Search(req)
	if err != nil {
		return nil, 0, audit.Errorf(audit.EINVALID, "facets failed: %v", err)
	}
	out := make([]Facet, 0, len(FacetFields))
	for _, f := range FacetFields {
		fr := res.Facets[f]
		facet := Facet{Field: f, Top: []Count{}}
		if fr != nil {
			facet.Total, facet.Other = fr.Total, fr.Other
			if fr.Terms != nil {
				for _, t := range fr.Terms.Terms() {
					facet.Top = append(facet.Top, Count{t.Term, t.Count})
				}
			}
		}
		out = append(out, facet)
	}
	return out, res.Total, nil
}

// HitTimes is what one pass reads of a query's hits for its timeline: the
// times of the oldest and newest, their number, and, while there are at
// most the pass's keep, each hit's time and stack value, so that the
// buckets the bounds choose are counted without a second pass. The kept
// hits are in chunks, not one slice grown by append: at 1M hits (9 bytes
// each) append's copies made 48 MB of garbage a timeline, and the served
// process's collections took `acme`'s from ~40 ms to 105–205 now and then.
type HitTimes struct {
	Oldest, Newest int64 // nanoseconds, when N > 0
	N              uint64
	chunks         []hitChunk
	values         []string
	kept           bool
	keep           int
}

// hitChunk holds kept hits: their times and stack values (the index in
// values, -1 for none).
type hitChunk struct {
	ns    []int64
	stack []int8
}

// A chunk holds twice as many hits as the one before, from hitChunkFirst
// up to hitChunkMax (variables for the tests).
var hitChunkFirst, hitChunkMax = 1 << 10, 1 << 16

// NewHitTimes is a HitTimes to which a pass adds hits, keeping at most
// keep of them; values are the stack values the hits' places refer to.
func NewHitTimes(values []string, keep int) *HitTimes {
	if len(values) > math.MaxInt8 {
		keep = 0
	}
	return &HitTimes{Oldest: math.MaxInt64, Newest: math.MinInt64, values: values, kept: true, keep: keep}
}

// Add adds a hit at ns (unix nanoseconds) of stack value v (a place in the
// values; -1 for none).
func (h *HitTimes) Add(ns int64, v int) {
	if h.kept && h.N == uint64(h.keep) {
		h.chunks, h.kept = nil, false // too many: counted by a second pass
	}
	h.N++
	h.Oldest, h.Newest = min(h.Oldest, ns), max(h.Newest, ns)
	if !h.kept {
		return
	}
	last := len(h.chunks) - 1
	if last < 0 || len(h.chunks[last].ns) == cap(h.chunks[last].ns) {
		size := hitChunkFirst
		if last >= 0 {
			size = min(2*cap(h.chunks[last].ns), hitChunkMax)
		}
		h.chunks = append(h.chunks, hitChunk{make([]int64, 0, size), make([]int8, 0, size)})
		last++
	}
	c := &h.chunks[last]
	c.ns, c.stack = append(c.ns, ns), append(c.stack, int8(v))
}

// EachTime makes one pass over q's hits, calling hit with each one's time
// (unix ns) and the place of its stackField value among stackValues
// (matched without case; -1 for another value or none), read from the
// index's doc values: the index's own timeline, which the service's (from
// the database's columns) is compared with.
func (x *Index) EachTime(q audit.Query, stackField string, stackValues []string, hit func(ns int64, v int)) error {
	bq, err := x.compile(q)
	if err != nil {
		return err
	}
	if _, err := x.eachTime(bq, stackField, stackValues, hit); err != nil {
		return audit.Errorf(audit.EINVALID, "search failed: %v", err)
	}
	return nil
}

// Count gives what CountTimes gives for these edges, from the kept hits;
// false when they were too many to keep.
func (h *HitTimes) Count(edges []time.Time) (map[string][]int, bool) {
	if !h.kept {
		return nil, false
	}
	t := newBuckets(edges, h.values)
	for _, c := range h.chunks {
		for i, ns := range c.ns {
			t.add(ns, int(c.stack[i]))
		}
	}
	return t.out, true
}

// CountTimes counts the hits a pass hands to add (its time and its place
// among values, -1 for none) in each bucket [edges[i], edges[i+1]) by
// value: counts[value][bucket] for every one of values; other values and
// times outside the edges are not counted.
func CountTimes(edges []time.Time, values []string, pass func(add func(ns int64, v int)) error) (map[string][]int, error) {
	t := newBuckets(edges, values)
	if err := pass(t.add); err != nil {
		return nil, err
	}
	return t.out, nil
}

// eachTime makes one pass over bq's hits, calling hit with each one's time
// (its stored field) and the place of its stackField value in stackValues
// (matched without case; -1 for another value or none), and returns the
// number of hits. Reading doc values in the pass is what Bleve's facets do,
// without a facet builder's maps and ranges.
func (x *Index) eachTime(bq query.Query, stackField string, stackValues []string, hit func(ns int64, v int)) (uint64, error) {
	stacks := make(map[string]int, len(stackValues))
	for i, v := range stackValues {
		stacks[strings.ToLower(v)] = i
	}
	v := -1
	stack := func(_ string, term []byte) {
		if i, ok := stacks[string(term)]; ok {
			v = i
		}
	}
	return x.eachTimed(bq, func(r index.IndexReader) (func(d *search.DocumentMatch, _, ns int64) error, error) {
		dvs, err := r.DocValueReader([]string{stackField})
		if err != nil {
			return nil, err
		}
		return func(d *search.DocumentMatch, _, ns int64) error {
			v = -1
			if err := dvs.VisitDocValues(d.IndexInternalID, stack); err != nil {
				return err
			}
			hit(ns, v)
			return nil
		}, nil
	})
}

// buckets counts hits by time into [edges[i], edges[i+1]) and by stack
// value (an index in the values it was made with).
type buckets struct {
	bounds []int64
	series [][]int
	out    map[string][]int
}

func newBuckets(edges []time.Time, values []string) *buckets {
	b := &buckets{bounds: make([]int64, len(edges)), out: make(map[string][]int, len(values))}
	for i, e := range edges {
		b.bounds[i] = e.UnixNano()
	}
	for _, v := range values {
		counts := make([]int, max(len(edges)-1, 0))
		b.series, b.out[v] = append(b.series, counts), counts
	}
	return b
}

// add counts a hit at ns of stack value v (-1: none, not counted), unless
// it falls outside the edges.
func (b *buckets) add(ns int64, v int) {
	n := len(b.bounds)
	if v < 0 || n < 2 || ns < b.bounds[0] || ns >= b.bounds[n-1] {
		return
	}
	b.series[v][sort.Search(n, func(i int) bool { return b.bounds[i] > ns })-1]++
}

// EachSeq makes one unscored pass over q's hits, calling visit with each
// one's seq, and returns their number. A document's key is its seq, kept
// apart from the stored fields' compressed data, so reading it costs no
// decompression (the service counts a word query's facets and timeline so:
// see store.SeqFacets and SeqTimes); a key read before in the same segment
// of the index is not read again (seqmemo.go).
func (x *Index) EachSeq(q audit.Query, visit func(seq int64)) (uint64, error) {
	return x.eachKey(q, visit, nil)
}

// EachKey is EachSeq handing each hit's time too (unix ns), read with its
// key from its stored data (the memo's times of a segment when it has
// them): what a process that has not read the database's columns orders
// and keeps a word query's hits by (store.Hits.Keys). At 1M demo events
// `auditlens search acme` (1M hits) takes 0.17 s so, 0.23 s when it read
// the time's doc values (mapping 18).
func (x *Index) EachKey(q audit.Query, visit func(seq, ns int64)) (uint64, error) {
	return x.eachKey(q, nil, visit)
}

// eachKey is EachSeq (visitSeq) or EachKey (visitKey, when not nil).
func (x *Index) eachKey(q audit.Query, visitSeq func(seq int64), visitKey func(seq, ns int64)) (uint64, error) {
	bq, err := x.compile(q)
	if err != nil {
		return 0, err
	}
	return x.eachCompiled(bq, visitSeq, visitKey)
}

// eachCompiled is eachKey over a compiled query.
func (x *Index) eachCompiled(bq query.Query, visitSeq func(seq int64), visitKey func(seq, ns int64)) (uint64, error) {
	if !x.noBitPass {
		n, ok, err := x.eachBitSeq(bq, visitSeq, visitKey)
		if err != nil {
			return 0, audit.Errorf(audit.EINVALID, "search failed: %v", err)
		}
		if ok {
			return n, nil
		}
	}
	if x.cols != nil && namesDatabaseField(bq) { // (the documents lack them)
		return 0, audit.Errorf(audit.EINVALID, "this query cannot search the fields %s beside words", strings.Join(store.TermFields, ", "))
	}
	if visitKey != nil {
		n, err := x.eachTimed(bq, func(index.IndexReader) (func(d *search.DocumentMatch, seq, ns int64) error, error) {
			return func(_ *search.DocumentMatch, seq, ns int64) error {
				visitKey(seq, ns)
				return nil
			}, nil
		})
		if err != nil {
			return 0, audit.Errorf(audit.EINVALID, "search failed: %v", err)
		}
		return n, nil
	}
	var memo *memoPass
	n, err := x.eachMatch(bq, func(sc *search.SearchContext) (func(*search.DocumentMatch) error, error) {
		memo = x.memo.begin(sc.IndexReader)
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return nil
			}
			num := docNum(d.IndexInternalID)
			known, here := memo.seq(num)
			if !here {
				known = memo.seqElsewhere(num)
			}
			seq := int64(known)
			if known == 0 {
				key, err := sc.IndexReader.ExternalID(d.IndexInternalID)
				if err != nil {
					return err
				}
				if seq, err = x.readKey(memo, num, key); err != nil {
					return err
				}
			}
			visitSeq(seq)
			return nil
		}, nil
	})
	if err != nil {
		return 0, audit.Errorf(audit.EINVALID, "search failed: %v", err)
	}
	return n, nil
}
