package search

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/numeric"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"auditlens/backend/audit"
)

// Result is one page of the seqs of matching events, newest first (ties by
// seq descending), and the total.
type Result struct {
	Seqs  []int64
	Total uint64
	Next  string // cursor of the page after this one; "" on the last page
}

// Search runs q: Bleve's query-string syntax (an empty text matches every
// event) within [From, To), newest first, at most q.Limit ids. oldest and
// newest are the times of the case's first and last events: the page is
// read window by window back from the newest, so only the hits of the
// windows it needs are sorted by time (sorting every hit of a common word
// costs far more than counting them).
func (x *Index) Search(q audit.Query, span Span) (*Result, error) {
	bq, err := x.compile(q)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var after []string
	if q.Cursor != "" {
		if after, err = decodeCursor(q.Cursor); err != nil {
			return nil, err
		}
	}
	// One unscored pass counts the hits and keeps the seqs of the first
	// fewHits: when that is all of them, the database's times order them.
	// Otherwise the page is read by windows.
	total, seqs, err := x.countAndCollect(bq, int(fewHits))
	if err != nil {
		return nil, audit.Errorf(audit.EINVALID, "search failed: %v", err)
	}
	if total <= fewHits && span.Times != nil {
		return fewInOrder(seqs, total, after, limit, span.Times)
	}
	out := &Result{Total: total, Seqs: []int64{}}
	var last []string
	err = x.windows(bq, q, after, span.Oldest, span.Newest, total, limit, func(w query.Query, want int) (int, error) {
		req := bleve.NewSearchRequestOptions(w, want, 0, false)
		req.SortBy([]string{"-time", "-_id"})
		req.Score = bleve.ScoreNone
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := x.idx.Search(req)
		if err != nil {
			return 0, audit.Errorf(audit.EINVALID, "search failed: %v", err)
		}
		for _, h := range res.Hits {
			seq, err := SeqOf(h.ID)
			if err != nil {
				return 0, err
			}
			out.Seqs = append(out.Seqs, seq)
			last = h.Sort
		}
		return len(res.Hits), nil
	})
	if err != nil {
		return nil, err
	}
	if len(out.Seqs) == limit {
		out.Next = encodeCursor(last)
	}
	return out, nil
}

// Span is what the database knows that orders hits cheaply: the times of
// the case's oldest and newest events, and the times of events by seq.
type Span struct {
	Oldest, Newest time.Time
	Times          func(seqs []int64) (map[int64]int64, error)
}

// fewHits: a query with at most this many hits is ordered by the
// database's times rather than by the index's sort. Keeping them costs the
// counting pass a copy of 8 bytes a hit, and reading their keys happens
// only when they are all; a phrase of 1,311 hits in 2M events went from
// 132 to 50 ms (p50) with 5,000 instead of 1,000, common words unchanged.
var fewHits uint64 = 5000

// countAndCollect counts the hits of bq in one unscored pass and, when
// there are at most keep of them, gives their seqs. Bleve's collector calls
// a handler given in the context for each hit; this one copies the internal
// ids of the first keep hits and hands every hit back to the pool, and
// reads their keys only at the end (Bleve calls it with nil while the
// reader is open), and only when they are all the hits. (Before, one pass
// stopped after keep hits and a second counted them: a phrase of two common
// words with 1,311 hits in 2M events walked its postings three times.)
func (x *Index) countAndCollect(bq query.Query, keep int) (uint64, []int64, error) {
	var ids []byte // the internal ids of the first keep hits, one after another
	var ends []int // where each ends in ids
	var seqs []int64
	n := 0
	total, err := x.eachMatch(bq, func(sc *search.SearchContext) (func(*search.DocumentMatch) error, error) {
		return func(d *search.DocumentMatch) error {
			if d != nil {
				if n++; n <= keep {
					ids = append(ids, d.IndexInternalID...)
					ends = append(ends, len(ids))
				}
				return nil
			}
			if n > keep {
				return nil
			}
			start := 0
			for _, end := range ends {
				key, err := sc.IndexReader.ExternalID(index.IndexInternalID(ids[start:end]))
				if err != nil {
					return err
				}
				seq, err := SeqOf(key)
				if err != nil {
					return err
				}
				seqs = append(seqs, seq)
				start = end
			}
			return nil
		}, nil
	})
	return total, seqs, err
}

// eachMatch makes one unscored pass over bq's hits, handing each to the
// handler that handler makes for the pass (Bleve's collector asks the
// context for it), then nil while the index reader is still open, and
// returns the number of hits. A hit goes back to the pool after its call.
// It errors if Bleve's total and the hits it handed differ.
func (x *Index) eachMatch(bq query.Query, handler func(*search.SearchContext) (func(*search.DocumentMatch) error, error)) (uint64, error) {
	var n uint64
	wrap := func(sc *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		h, err := handler(sc)
		if err != nil {
			return nil, false, err
		}
		return func(d *search.DocumentMatch) error {
			err := h(d)
			if d != nil {
				n++
				sc.DocumentMatchPool.Put(d)
			}
			return err
		}, false, nil
	}
	ctx := context.WithValue(context.Background(), search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(wrap))
	req := bleve.NewSearchRequestOptions(bq, 0, 0, false)
	req.Score = bleve.ScoreNone
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, err
	}
	if res.Total != n {
		return 0, fmt.Errorf("the index counted %d hits and gave %d", res.Total, n)
	}
	return n, nil
}

// fewInOrder pages through all of a query's hits (seqs, total of them),
// ordered newest first (ties by seq descending) by their times, after the
// cursor.
func fewInOrder(seqs []int64, total uint64, after []string, limit int, times func([]int64) (map[int64]int64, error)) (*Result, error) {
	at, err := times(seqs)
	if err != nil {
		return nil, err
	}
	sort.Slice(seqs, func(i, j int) bool {
		if at[seqs[i]] != at[seqs[j]] {
			return at[seqs[i]] > at[seqs[j]]
		}
		return seqs[i] > seqs[j]
	})
	if after != nil {
		t, err := numericTime(after[0])
		if err != nil {
			return nil, audit.Errorf(audit.EINVALID, "the page cursor is not one this case gave")
		}
		afterSeq, _ := SeqOf(after[1]) // a key: decodeCursor checked it
		ns := t.UnixNano()
		i := sort.Search(len(seqs), func(i int) bool {
			return at[seqs[i]] < ns || (at[seqs[i]] == ns && seqs[i] < afterSeq)
		})
		seqs = seqs[i:]
	}
	out := &Result{Total: total, Seqs: seqs[:min(limit, len(seqs))]}
	if n := len(out.Seqs); n == limit {
		last := out.Seqs[n-1]
		out.Next = encodeCursor([]string{string(numeric.MustNewPrefixCodedInt64(at[last], 0)), DocKey(last)})
	}
	return out, nil
}

// windows calls page with bq limited to time windows from newest back to
// oldest (each ending where the one before began, so together they give the
// hits in order) until want hits are found. A window is sized to hold about
// twice the hits still wanted at the query's average rate, and doubles
// while windows come back short. Bounds are whole seconds; the query's own
// range still applies.
func (x *Index) windows(bq query.Query, q audit.Query, after []string, oldest, newest time.Time, total uint64, want int,
	page func(w query.Query, want int) (int, error)) error {
	if total == 0 || oldest.IsZero() {
		return nil
	}
	hi := newest.Add(time.Second).Truncate(time.Second)
	if !q.To.IsZero() && q.To.Before(hi) {
		hi = q.To.Add(time.Second - 1).Truncate(time.Second)
	}
	lo := oldest.Truncate(time.Second)
	if !q.From.IsZero() && q.From.After(lo) {
		lo = q.From.Truncate(time.Second)
	}
	if after != nil {
		if ns, err := numericTime(after[0]); err == nil && ns.Before(hi) {
			hi = ns.Add(time.Second).Truncate(time.Second)
		}
	}
	span := hi.Sub(lo)
	w := time.Duration(float64(span) * float64(2*want) / float64(total))
	w = max(w.Truncate(time.Second), time.Second)
	for hi.After(lo) && want > 0 {
		from := hi.Add(-w)
		last := !from.After(lo)
		start := from
		if last {
			start = time.Time{}
		}
		n, err := page(query.NewConjunctionQuery([]query.Query{bq, newTimeRange(start, hi)}), want)
		if err != nil {
			return err
		}
		want -= n
		if last {
			return nil
		}
		hi, w = from, w*2
	}
	return nil
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
	if err == nil && len(sort) == 2 {
		_, err = SeqOf(sort[1]) // a key (before keys were seqs, it was an event id)
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
		if !representable(q.From) || !representable(q.To) { // as Bleve's date range refused them
			return nil, audit.Errorf(audit.EINVALID, "the time range %s to %s is outside the years 1678 to 2262", q.From, q.To)
		}
		parts = append(parts, newTimeRange(q.From, q.To))
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
	case *query.DateRangeQuery:
		if t.FieldVal == timeFieldName { // time:>"2026-01-02" and the like
			return dateRange(t)
		}
	case *query.NumericRangeQuery:
		if t.FieldVal == timeFieldName { // time:>=1767312000000000000: nanoseconds
			return numericRange(t)
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

// dateRange is a query string's date range on the time field as a
// timeRange: Bleve's own would look for the terms of a precision step of 4.
// An unset inclusive flag means inclusive at the start, exclusive at the
// end, as in Bleve.
func dateRange(q *query.DateRangeQuery) query.Query {
	lo, loIn, hi, hiIn := int64(math.MinInt64), true, int64(math.MaxInt64), true
	if !q.Start.IsZero() {
		lo, loIn = dateBound(q.Start.Time, q.InclusiveStart == nil || *q.InclusiveStart, true)
	}
	if !q.End.IsZero() {
		hi, hiIn = dateBound(q.End.Time, q.InclusiveEnd != nil && *q.InclusiveEnd, false)
	}
	return between(lo, loIn, hi, hiIn)
}

// numericRange is a numeric range on the time field, in nanoseconds.
func numericRange(q *query.NumericRangeQuery) query.Query {
	lo, loIn, hi, hiIn := int64(math.MinInt64), true, int64(math.MaxInt64), true
	if q.Min != nil {
		lo, loIn = numBound(*q.Min, q.InclusiveMin == nil || *q.InclusiveMin, true)
	}
	if q.Max != nil {
		hi, hiIn = numBound(*q.Max, q.InclusiveMax != nil && *q.InclusiveMax, false)
	}
	return between(lo, loIn, hi, hiIn)
}

// dateBound is t as a lower or upper bound in nanoseconds. A time before
// (after) what nanoseconds hold lies just outside int64's least (greatest)
// value: every event is after (before) it.
func dateBound(t time.Time, inclusive, lower bool) (int64, bool) {
	switch {
	case t.Before(document.MinTimeRepresentable):
		return math.MinInt64, lower
	case t.After(document.MaxTimeRepresentable):
		return math.MaxInt64, !lower
	}
	return t.UnixNano(), inclusive
}

// numBound is f, a number as the query syntax reads it (a float64), as a
// lower or upper bound in nanoseconds: a fraction takes the whole
// nanoseconds within, and a number past int64 lies just outside it.
func numBound(f float64, inclusive, lower bool) (int64, bool) {
	switch {
	case f < math.MinInt64:
		return math.MinInt64, lower
	case f >= math.MaxInt64: // 2^63, one past int64's greatest value
		return math.MaxInt64, !lower
	}
	n := math.Floor(f)
	if lower {
		n = math.Ceil(f)
	}
	return int64(n), inclusive || n != f
}

// numericTime reads a time sort value of a hit (Bleve's prefix-coded
// nanoseconds).
func numericTime(v string) (time.Time, error) {
	n, err := numeric.PrefixCoded(v).Int64()
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, n).UTC(), nil
}

// compile is Compile with the wrappers Bleve would evaluate around every hit
// taken away where they change nothing: the query parser puts each plain
// term in a disjunction, and a match query of the AND operator builds a
// conjunction of its words, even of one. A disjunction of one query (at
// least one of one) is that query, and a match query whose text the field's
// analyzer makes one word (and that is not fuzzy) is a term query of that
// word, as Bleve would build it. At 1M demo events `acme`, every event,
// spent a third of its counting pass in the two wrappers.
func (x *Index) compile(q audit.Query) (query.Query, error) {
	bq, err := Compile(q)
	if err != nil {
		return nil, err
	}
	return unwrap(bq, x.idx.Mapping()), nil
}

func unwrap(q query.Query, m mapping.IndexMapping) query.Query {
	switch t := q.(type) {
	case *query.BooleanQuery:
		for _, p := range []*query.Query{&t.Must, &t.Should, &t.MustNot} {
			if *p != nil {
				*p = unwrap(*p, m)
			}
		}
	case *query.ConjunctionQuery:
		for i, c := range t.Conjuncts {
			t.Conjuncts[i] = unwrap(c, m)
		}
	case *query.DisjunctionQuery:
		for i, d := range t.Disjuncts {
			t.Disjuncts[i] = unwrap(d, m)
		}
		if len(t.Disjuncts) == 1 && t.Min <= 1 {
			return t.Disjuncts[0]
		}
	case *query.MatchQuery:
		if t.Fuzziness != 0 || t.Analyzer != "" { // (the query parser sets no automatic fuzziness)
			return q
		}
		field := t.FieldVal
		if field == "" {
			field = m.DefaultSearchField()
		}
		analyzer := m.AnalyzerNamed(m.AnalyzerNameForPath(field))
		if analyzer == nil {
			return q
		}
		if tokens := analyzer.Analyze([]byte(t.Match)); len(tokens) == 1 {
			term := query.NewTermQuery(string(tokens[0].Term))
			term.SetField(field)
			term.SetBoost(t.BoostVal.Value())
			return term
		}
	}
	return q
}
