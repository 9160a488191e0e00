package search

import (
	"encoding/base64"
	"encoding/json"
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
	Next  string // cursor of the page after this one; "" on the last page
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
	if q.Cursor != "" {
		after, err := decodeCursor(q.Cursor)
		if err != nil {
			return nil, err
		}
		req.SetSearchAfter(after)
	}
	res, err := x.idx.Search(req)
	if err != nil {
		return nil, audit.Errorf(audit.EINVALID, "search failed: %v", err)
	}
	out := &Result{Total: res.Total, Took: res.Took, IDs: make([]string, 0, len(res.Hits))}
	for _, h := range res.Hits {
		out.IDs = append(out.IDs, h.ID)
	}
	if n := len(res.Hits); n == limit {
		out.Next = encodeCursor(res.Hits[n-1].Sort)
	}
	return out, nil
}

// A cursor is the sort values of the last hit of a page (search-after, so
// deep pages cost what the first one does), opaque to callers.
func encodeCursor(sort []string) string {
	b, _ := json.Marshal(sort)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(c string) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	var sort []string
	if err == nil {
		err = json.Unmarshal(b, &sort)
	}
	if err != nil || len(sort) != 2 {
		return nil, audit.Errorf(audit.EINVALID, "the page cursor %q is not one this case gave", c)
	}
	return sort, nil
}

// Compile turns a query into Bleve's: the text parsed once and adjusted,
// and the time range added as a conjunct.
func Compile(q audit.Query) (query.Query, error) {
	var parts []query.Query
	if text := strings.TrimSpace(q.Text); text != "" && text != "*" {
		parsed, err := query.NewQueryStringQuery(text).Parse()
		if err != nil {
			return nil, audit.Errorf(audit.EINVALID, "cannot read the query %q: %v", text, err)
		}
		parts = append(parts, adjust(parsed))
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

// adjust fits a parsed query to the index: wildcard, regexp and prefix terms
// are lower-cased (every field is indexed lower-case), a word the analyzer
// splits ("eu-west-1") must match all its parts, and a quoted value of a
// keyword field ("alice smith") is one exact term, not a phrase.
func adjust(q query.Query) query.Query {
	switch t := q.(type) {
	case *query.BooleanQuery:
		if t.Must != nil {
			t.Must = adjust(t.Must)
		}
		if t.Should != nil {
			t.Should = adjust(t.Should)
		}
		if t.MustNot != nil {
			t.MustNot = adjust(t.MustNot)
		}
	case *query.ConjunctionQuery:
		for i, c := range t.Conjuncts {
			t.Conjuncts[i] = adjust(c)
		}
	case *query.DisjunctionQuery:
		for i, d := range t.Disjuncts {
			t.Disjuncts[i] = adjust(d)
		}
	case *query.MatchQuery:
		t.SetOperator(query.MatchQueryOperatorAnd)
	case *query.MatchPhraseQuery:
		if keywordFields[t.FieldVal] {
			m := query.NewMatchQuery(t.MatchPhrase)
			m.SetField(t.FieldVal)
			m.SetBoost(t.BoostVal.Value())
			return m
		}
	case *query.WildcardQuery:
		t.Wildcard = strings.ToLower(t.Wildcard)
	case *query.RegexpQuery:
		t.Regexp = strings.ToLower(t.Regexp)
	case *query.PrefixQuery:
		t.Prefix = strings.ToLower(t.Prefix)
	}
	return q
}
