package search

import (
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"auditlens/backend/audit"
)

// Result is one page of matching event ids, newest first, and the total.
type Result struct {
	IDs   []string
	Total uint64
	Took  time.Duration
}

// Search runs q: Bleve's query-string syntax (an empty text matches every
// event) within [From, To), newest first, at most q.Limit ids.
func (x *Index) Search(q audit.Query) (*Result, error) {
	bq, err := Compile(q)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	req := bleve.NewSearchRequestOptions(bq, limit, 0, false)
	req.SortBy([]string{"-time", "-_id"})
	res, err := x.idx.Search(req)
	if err != nil {
		return nil, audit.Errorf(audit.EINVALID, "search failed: %v", err)
	}
	out := &Result{Total: res.Total, Took: res.Took, IDs: make([]string, 0, len(res.Hits))}
	for _, h := range res.Hits {
		out.IDs = append(out.IDs, h.ID)
	}
	return out, nil
}

// Compile turns a query into Bleve's: the text parsed once, wildcard and
// regular-expression terms lower-cased (every field is indexed lower-case),
// and the time range added as a conjunct.
func Compile(q audit.Query) (query.Query, error) {
	var parts []query.Query
	if text := strings.TrimSpace(q.Text); text != "" && text != "*" {
		parsed, err := query.NewQueryStringQuery(text).Parse()
		if err != nil {
			return nil, audit.Errorf(audit.EINVALID, "cannot read the query %q: %v", text, err)
		}
		lowerTerms(parsed)
		parts = append(parts, parsed)
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		inclusive, exclusive := true, false
		dr := query.NewDateRangeInclusiveQuery(q.From, q.To, &inclusive, &exclusive)
		dr.SetField("time")
		parts = append(parts, dr)
	}
	switch len(parts) {
	case 0:
		return query.NewMatchAllQuery(), nil
	case 1:
		return parts[0], nil
	}
	return query.NewConjunctionQuery(parts), nil
}

func lowerTerms(q query.Query) {
	switch t := q.(type) {
	case *query.BooleanQuery:
		lowerTerms(t.Must)
		lowerTerms(t.Should)
		lowerTerms(t.MustNot)
	case *query.ConjunctionQuery:
		for _, c := range t.Conjuncts {
			lowerTerms(c)
		}
	case *query.DisjunctionQuery:
		for _, d := range t.Disjuncts {
			lowerTerms(d)
		}
	case *query.WildcardQuery:
		t.Wildcard = strings.ToLower(t.Wildcard)
	case *query.RegexpQuery:
		t.Regexp = strings.ToLower(t.Regexp)
	case *query.PrefixQuery:
		t.Prefix = strings.ToLower(t.Prefix)
	}
}
