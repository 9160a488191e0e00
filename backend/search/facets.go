package search

import (
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

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

// Histogram counts the events matching q in each bucket [edges[i], edges[i+1]),
// split by the values of stackField (one search per stack value, each a
// single pass with date-range facets). It returns counts[value][bucket].
func (x *Index) Histogram(q audit.Query, edges []time.Time, stackField string, stackValues []string) (map[string][]int, error) {
	base, err := Compile(q)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]int, len(stackValues))
	for _, v := range stackValues {
		term := query.NewTermQuery(strings.ToLower(v))
		term.SetField(stackField)
		bq := query.NewConjunctionQuery([]query.Query{base, term})
		req := bleve.NewSearchRequestOptions(bq, 0, 0, false)
		req.Score = bleve.ScoreNone
		fr := bleve.NewFacetRequest("time", len(edges))
		for i := 0; i+1 < len(edges); i++ {
			fr.AddDateTimeRange(edges[i].Format(time.RFC3339Nano), edges[i], edges[i+1])
		}
		req.AddFacet("time", fr)
		res, err := x.idx.Search(req)
		if err != nil {
			return nil, audit.Errorf(audit.EINVALID, "histogram failed: %v", err)
		}
		counts := make([]int, len(edges)-1)
		if f := res.Facets["time"]; f != nil {
			index := make(map[string]int, len(edges))
			for i := 0; i+1 < len(edges); i++ {
				index[edges[i].Format(time.RFC3339Nano)] = i
			}
			for _, dr := range f.DateRanges {
				if i, ok := index[dr.Name]; ok {
					counts[i] = dr.Count
				}
			}
		}
		out[v] = counts
	}
	return out, nil
}

// Bounds returns the seqs of the oldest and the newest event matching q
// (0 when nothing matches) and the number of matches.
func (x *Index) Bounds(q audit.Query) (oldest, newest int64, n uint64, err error) {
	bq, err := Compile(q)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, order := range []string{"time", "-time"} {
		req := bleve.NewSearchRequestOptions(bq, 1, 0, false)
		req.SortBy([]string{order, "_id"})
		req.Score = bleve.ScoreNone
		res, err := x.idx.Search(req)
		if err != nil {
			return 0, 0, 0, audit.Errorf(audit.EINVALID, "search failed: %v", err)
		}
		n = res.Total
		if len(res.Hits) == 0 {
			return 0, 0, 0, nil
		}
		seq, err := SeqOf(res.Hits[0].ID)
		if err != nil {
			return 0, 0, 0, err
		}
		if order == "time" {
			oldest = seq
		} else {
			newest = seq
		}
	}
	return oldest, newest, n, nil
}
