package search

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2/document"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
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
// event) within [From, To), newest first, at most q.Limit seqs, through
// Bleve's searcher, each hit's time read from its stored field and the
// page kept in memory. It is the reference the service's answers are
// compared with (Case.indexOnly): the service finds the words here
// (EachSeq) and keeps, counts and orders the hits by the database's times,
// which costs far less than reading every hit's time.
func (x *Index) Search(q audit.Query) (*Result, error) {
	bq, err := x.compile(q)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var after *hitKey
	if q.Cursor != "" {
		k, err := decodeCursor(q.Cursor)
		if err != nil {
			return nil, err
		}
		after = &k
	}
	var page newestHits
	total, err := x.eachTimed(bq, func(index.IndexReader) (func(d *search.DocumentMatch, seq, ns int64) error, error) {
		return func(_ *search.DocumentMatch, seq, ns int64) error {
			if after == nil || after.newer(hitKey{ns, seq}) {
				page.add(hitKey{ns, seq}, limit)
			}
			return nil
		}, nil
	})
	if err != nil {
		return nil, audit.Errorf(audit.EINVALID, "search failed: %v", err)
	}
	keys := page.newest(limit)
	out := &Result{Total: total, Seqs: make([]int64, len(keys))}
	for i, k := range keys {
		out.Seqs[i] = k.seq
	}
	if len(keys) == limit {
		out.Next = encodeCursor(keys[limit-1])
	}
	return out, nil
}

// hitKey is what Search orders hits by: time, then seq.
type hitKey struct{ ns, seq int64 }

// newer is whether k comes before o, newest first.
func (k hitKey) newer(o hitKey) bool { return k.ns > o.ns || (k.ns == o.ns && k.seq > o.seq) }

// newestHits keeps the newest of the hits added.
type newestHits struct{ keys []hitKey }

// add adds k, keeping at least the newest limit of those added.
func (h *newestHits) add(k hitKey, limit int) {
	h.keys = append(h.keys, k)
	if len(h.keys) >= 2*limit+64 {
		h.keys = h.newest(limit)
	}
}

// newest is the newest limit of those added, newest first.
func (h *newestHits) newest(limit int) []hitKey {
	slices.SortFunc(h.keys, func(a, b hitKey) int {
		if a.newer(b) {
			return -1
		}
		if b.newer(a) {
			return 1
		}
		return 0
	})
	return h.keys[:min(limit, len(h.keys))]
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

// A cursor is the last hit of a page (search-after, so deep pages cost
// what the first one does), opaque to callers: as Bleve's sort values of
// the hit were until mapping 19, its time prefix-coded and its key.
func encodeCursor(k hitKey) string {
	b, _ := json.Marshal([]string{string(numeric.MustNewPrefixCodedInt64(k.ns, 0)), DocKey(k.seq)})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(c string) (hitKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	var sort []string
	if err == nil {
		err = json.Unmarshal(b, &sort)
	}
	var k hitKey
	if err == nil && len(sort) == 2 {
		k.seq, err = SeqOf(sort[1]) // a key (before keys were seqs, it was an event id)
		ns, ok := docTime([]byte(sort[0]))
		if err == nil && !ok {
			err = errors.New("not a time")
		}
		k.ns = ns
	}
	if err != nil || len(sort) != 2 {
		return hitKey{}, audit.Errorf(audit.EINVALID, "the page cursor %q is not one this case gave", c)
	}
	return k, nil
}

// Compile turns a query into Bleve's: the text parsed once and adjusted,
// and the time range added as a conjunct.
func Compile(q audit.Query) (query.Query, error) {
	var parts []query.Query
	if text := strings.TrimSpace(q.Text); text != "" && text != "*" {
		parsed, err := parseText(text)
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

// parseText parses a query's text, Bleve's query-string syntax. A regular
// expression's leading ^ is dropped first: Bleve's lexer reads ^ as a boost
// even between the slashes (`/^user/` failed with "slice bounds out of
// range"), and its expressions match whole terms, so the anchor adds
// nothing (RegexpQuery drops it too).
func parseText(text string) (query.Query, error) {
	if w := operatorWord(text); w != "" {
		return nil, fmt.Errorf("%s is not an operator here: require a term with +, exclude one with - "+
			"(+outcome:failure -category:access), and a word without either is optional beside a +term", w)
	}
	q, err := query.NewQueryStringQuery(unanchored(text)).Parse()
	if err != nil {
		return nil, err
	}
	if err := checkFields(q); err != nil {
		return nil, err
	}
	return q, nil
}

// QueryFields are the fields a query may name: the normalized event's,
// "text" (the free text's other values) and "tag". (The index's own
// "word" and "user_agent_value" are answered too, but not offered.)
func QueryFields() []string {
	return []string{"time", "format", "category", "action", "outcome", "actor.id", "actor.name", "actor.email",
		"actor.type", "actor.label", "targets.type", "targets.id", "targets.name", "ip", "user_agent", "session",
		"request", "message", "source", "tag", "text"}
}

// checkFields refuses a clause that would match nothing, silently: one on
// a field the index has not (Bleve answers it with no hit: actor.emial:x,
// or http://x read as the field http), and one on time that is neither a
// range nor a time or a date (time:2025*, time:noon: the time is no term).
func checkFields(q query.Query) error {
	var err error
	var walk func(query.Query) query.Query
	walk = func(q query.Query) query.Query {
		f, ok := q.(query.FieldableQuery)
		switch {
		case err != nil || !ok || f.Field() == "":
		case !slices.Contains(QueryFields(), f.Field()) && f.Field() != wordFieldName && f.Field() != "user_agent_value":
			err = fmt.Errorf("there is no field %q (it would match nothing): the fields are %s; "+
				"quote words that hold a colon (\"http://example.com\")", f.Field(), strings.Join(QueryFields(), " "))
		case f.Field() == timeFieldName:
			switch t := q.(type) {
			case *query.DateRangeQuery, *query.NumericRangeQuery:
			case *query.MatchQuery:
				err = timeValueOK(t.Match)
			case *query.MatchPhraseQuery:
				err = timeValueOK(t.MatchPhrase)
			default:
				err = errors.New(`time: takes a time (time:"2026-03-01T10:00:00Z"), a date (time:2026-03-01) or a range (time:>="2026-03-01")`)
			}
		}
		eachPart(q, walk)
		return q
	}
	walk(q)
	return err
}

func timeValueOK(s string) error {
	if _, ok := audit.ParseBound(s, false); !ok {
		return fmt.Errorf("time:%s is not a time: give RFC 3339 (time:\"2026-03-01T10:00:00Z\") or a date (time:2026-03-01)", s)
	}
	return nil
}

// timeValue is time:T as a range: the instant T, or the UTC day T names.
func timeValue(s string) query.Query {
	t, _ := audit.ParseBound(s, false)
	if len(s) == len("2006-01-02") {
		return newTimeRange(t, t.AddDate(0, 0, 1))
	}
	return between(t.UnixNano(), true, t.UnixNano(), true)
}

// operatorWord is the first clause of text that is AND, OR or NOT (or &&,
// || or !), read as Bleve's lexer reads clauses: a clause ends at a space
// (not at a tab), a " opens a phrase only where a clause or an operator's
// value begins (after + - : < > =), and \ keeps the character after it.
// Bleve's syntax has no such operators: it read `NOT outcome:success` as the
// word "not" (a stop word, so nothing) or outcome:success, and listed the
// successes, and `a AND b` as a, "and" or b. As words they can match nothing
// (stop words), so a query holding one means something else than it says,
// and is refused.
func operatorWord(text string) string {
	start, phrase := -1, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case phrase && c == '\\':
			i++
		case phrase:
			phrase = c != '"'
		case start < 0 && unicode.IsSpace(rune(c)):
		case c == '\\':
			start = max(start, i)
			i++
		case c == '"' && (start < 0 || strings.IndexByte("+-:<>=", text[i-1]) >= 0):
			start, phrase = max(start, i), true
		case c == ' ':
			if w := text[start:i]; isOperatorWord(w) {
				return w
			}
			start = -1
		case start < 0:
			start = i
		}
	}
	if start >= 0 && !phrase && isOperatorWord(text[start:]) {
		return text[start:]
	}
	return ""
}

func isOperatorWord(w string) bool {
	switch w {
	case "AND", "OR", "NOT", "&&", "||", "!":
		return true
	}
	return false
}

// unanchored is text with the ^ that starts a regular expression (a / that
// begins a clause, a field's value or a must or must-not) taken out,
// outside quoted phrases.
func unanchored(text string) string {
	var b strings.Builder
	quoted := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\\' && i+1 < len(text):
			b.WriteByte(c)
			i++
			c = text[i]
		case c == '"':
			quoted = !quoted
		case c == '/' && !quoted && i+1 < len(text) && text[i+1] == '^' &&
			(i == 0 || strings.IndexByte(" \t\n+-:", text[i-1]) >= 0):
			b.WriteByte(c)
			i++ // the ^
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// adjust fits a parsed query to the index: wildcard, regexp and prefix terms
// are lower-cased (every field is indexed lower-case), a word the analyzer
// splits ("eu-west-1") must match all its parts, and a quoted value of a
// keyword field ("alice smith") is one exact term, not a phrase.
func adjust(q query.Query) query.Query {
	eachPart(q, adjust)
	switch t := q.(type) {
	case *query.MatchQuery:
		if t.FieldVal == timeFieldName {
			return timeValue(t.Match) // (checkFields let only a time or a date through)
		}
		t.SetOperator(query.MatchQueryOperatorAnd)
	case *query.MatchPhraseQuery:
		if t.FieldVal == timeFieldName {
			return timeValue(t.MatchPhrase)
		}
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

// compile is Compile with the wrappers Bleve would evaluate around every hit
// taken away where they change nothing: the query parser puts each plain
// term in a disjunction, and a match query of the AND operator builds a
// conjunction of its words, even of one. A disjunction of one query (at
// least one of one) is that query, and a match query whose text the field's
// analyzer makes one word is a term query of that word (a fuzzy query, if
// it is fuzzy), as Bleve would build it. At 1M demo events `acme`, every
// event, spent a third of its counting pass in the two wrappers. The free
// text is then spread over its fields (spread), and, where the documents
// do not index the stored fields, a term on one is a storedQuery.
func (x *Index) compile(q audit.Query) (query.Query, error) {
	bq, err := Compile(q)
	if err != nil {
		return nil, err
	}
	m := x.idx.Mapping()
	if bq, err = x.shareParts(context.Background(), spread(unwrap(bq, m), m)); err != nil || !x.storedOnly {
		return bq, err
	}
	return x.storedParts(bq)
}

func unwrap(q query.Query, m mapping.IndexMapping) query.Query {
	eachPart(q, func(p query.Query) query.Query { return unwrap(p, m) })
	switch t := q.(type) {
	case *query.DisjunctionQuery:
		if len(t.Disjuncts) == 1 && t.Min <= 1 {
			return t.Disjuncts[0]
		}
	case *query.MatchQuery:
		if auto, known := unexported(t, "autoFuzzy"); !known || auto || t.Analyzer != "" { // (the query parser sets neither)
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
			if t.Fuzziness != 0 {
				fuzzy := query.NewFuzzyQuery(string(tokens[0].Term))
				fuzzy.SetFuzziness(t.Fuzziness)
				fuzzy.SetPrefix(t.Prefix)
				fuzzy.SetField(field)
				fuzzy.SetBoost(t.BoostVal.Value())
				return fuzzy
			}
			term := query.NewTermQuery(string(tokens[0].Term))
			term.SetField(field)
			term.SetBoost(t.BoostVal.Value())
			return term
		}
	}
	return q
}

// eachPart sets each query inside q (a boolean's, a conjunction's or a
// disjunction's parts) to f of it.
func eachPart(q query.Query, f func(query.Query) query.Query) {
	switch t := q.(type) {
	case *query.BooleanQuery:
		for _, p := range []*query.Query{&t.Must, &t.Should, &t.MustNot, &t.Filter} {
			if *p != nil {
				*p = f(*p)
			}
		}
	case *query.ConjunctionQuery:
		for i, c := range t.Conjuncts {
			t.Conjuncts[i] = f(c)
		}
	case *query.DisjunctionQuery:
		for i, d := range t.Disjuncts {
			t.Disjuncts[i] = f(d)
		}
	}
}
