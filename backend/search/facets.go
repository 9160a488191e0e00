package search

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"auditlens/backend/audit"
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
// matching q, in one pass over the index's doc values.
func (x *Index) Facets(q audit.Query, size int) ([]Facet, uint64, error) {
	bq, err := Compile(q)
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

// Histogram counts the events matching q in each bucket [edges[i], edges[i+1])
// by the values of stackField, in one pass over the hits' doc values: the
// time and the stack field's value of each. It returns counts[value][bucket]
// for every one of stackValues (matched without case); other values and
// times outside the edges are not counted.
func (x *Index) Histogram(q audit.Query, edges []time.Time, stackField string, stackValues []string) (map[string][]int, error) {
	bq, err := Compile(q)
	if err != nil {
		return nil, err
	}
	bounds := make([]int64, len(edges))
	for i, e := range edges {
		bounds[i] = e.UnixNano()
	}
	out := make(map[string][]int, len(stackValues))
	series := make(map[string][]int, len(stackValues)) // by the value as indexed
	for _, v := range stackValues {
		out[v] = make([]int, max(len(edges)-1, 0))
		series[strings.ToLower(v)] = out[v]
	}
	var counts []int
	bucket := -1
	_, err = x.eachHit(bq, []string{timeFieldName, stackField}, func(field string, term []byte) {
		if field == stackField {
			counts = series[string(term)]
			return
		}
		if ns, ok := docTime(term); ok && len(bounds) > 1 && ns >= bounds[0] && ns < bounds[len(bounds)-1] {
			bucket = sort.Search(len(bounds), func(i int) bool { return bounds[i] > ns }) - 1
		}
	}, func() {
		if counts != nil && bucket >= 0 {
			counts[bucket]++
		}
		counts, bucket = nil, -1
	})
	if err != nil {
		return nil, audit.Errorf(audit.EINVALID, "histogram failed: %v", err)
	}
	return out, nil
}

// Bounds returns the times (nanoseconds) of the oldest and the newest event
// matching q, and the number of matches, in one pass over the hits' times.
func (x *Index) Bounds(q audit.Query) (oldest, newest int64, n uint64, err error) {
	bq, err := Compile(q)
	if err != nil {
		return 0, 0, 0, err
	}
	oldest, newest = math.MaxInt64, math.MinInt64
	n, err = x.eachHit(bq, []string{timeFieldName}, func(_ string, term []byte) {
		if ns, ok := docTime(term); ok {
			oldest, newest = min(oldest, ns), max(newest, ns)
		}
	}, func() {})
	if err != nil {
		return 0, 0, 0, audit.Errorf(audit.EINVALID, "search failed: %v", err)
	}
	if n == 0 {
		return 0, 0, 0, nil
	}
	return oldest, newest, n, nil
}

// eachHit makes one unscored pass over bq's hits, calling visit with each
// doc value of fields a hit has, then done once for the hit, and returns the
// number of hits. Reading doc values in the pass is what Bleve's facets do;
// this does it once for several uses, without a facet builder's maps and
// ranges.
func (x *Index) eachHit(bq query.Query, fields []string, visit index.DocValueVisitor, done func()) (uint64, error) {
	return x.eachMatch(bq, func(sc *search.SearchContext) (func(*search.DocumentMatch) error, error) {
		dvs, err := sc.IndexReader.DocValueReader(fields)
		if err != nil {
			return nil, err
		}
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return nil
			}
			err := dvs.VisitDocValues(d.IndexInternalID, visit)
			done()
			return err
		}, nil
	})
}

// docTime reads a time doc value: the shift-0 term of the time field.
func docTime(term []byte) (int64, bool) {
	p := numeric.PrefixCoded(term)
	if shift, err := p.Shift(); err != nil || shift != 0 {
		return 0, false
	}
	ns, err := p.Int64()
	return ns, err == nil
}
