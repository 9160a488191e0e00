package search

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/vellum"
	lev "github.com/blevesearch/vellum/levenshtein"
	vregexp "github.com/blevesearch/vellum/regexp"
)

// Columns answers a query's terms on the fields the database keeps
// (store.TermFields: category, action, outcome, actor.label, actor.email,
// ip, format, source) from its columns, for an index whose documents leave
// those fields out. Each event has one value of such a field, or none, so
// a term, a wildcard, a regular expression or a fuzzy term matches an
// event exactly when it matches its value, as Bleve's searcher would over
// a document holding that value alone. An index opened with Columns
// leaves those fields (termFields) out of its documents.
type Columns interface {
	// TermIDs sets ids[i] to the term id of field of the event stored with
	// seqs[i] (0: none).
	TermIDs(field string, seqs []int64, ids []uint32) error
	// ValueIDs is a test of term ids: whether one is a value of field
	// (folded as the index folds it) that match accepts; failed is the
	// error the test met, if any.
	ValueIDs(field string, match func(folded string) bool) (has func(id uint32) bool, failed func() error, err error)
}

// columnField is the database field q is a term of, if it is one.
func (b *bitHits) columnField(q query.Query) (string, bool) {
	if b.x.cols == nil {
		return "", false
	}
	fq, ok := q.(query.FieldableQuery)
	if !ok {
		return "", false
	}
	return fq.Field(), termFields[fq.Field()]
}

// column is the documents of a term on a database field, within the
// documents of within (every live one where nil): each document's term id
// of the field (fieldIDs), tested against the ids of the values the term
// matches (fieldMatch, Columns.ValueIDs); none as fieldMatch says.
func (b *bitHits) column(q query.Query, field string, within segBits) (segBits, bool, bool, error) {
	match, none, err := fieldMatch(b.snap, b.m, q)
	if err != nil || none {
		return nil, none, err == nil, err
	}
	has, failed, err := b.x.cols.ValueIDs(field, match)
	if err != nil {
		return nil, false, false, err
	}
	bits := make(segBits, len(b.segs))
	buf := make([]uint32, 256)
	for i, ss := range b.segs {
		if within != nil && within[i].IsEmpty() {
			bits[i] = roaring.New()
			continue
		}
		ids, err := b.fieldIDs(i, field)
		if err != nil {
			return nil, false, false, err
		}
		cand := live(ss)
		if within != nil {
			cand.And(within[i])
		}
		var kept []uint32
		it := cand.ManyIterator()
		for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
			for _, local := range buf[:n] {
				if has(ids[local]) {
					kept = append(kept, local)
				}
			}
		}
		bits[i] = roaring.BitmapOf(kept...)
	}
	if err := failed(); err != nil {
		return nil, false, false, err
	}
	return bits, false, true, nil
}

// fieldIDs is every document's term id of field in segment i, by its
// number there: read once a segment (fieldTables), from the columns by
// each document's seq.
func (b *bitHits) fieldIDs(i int, field string) ([]uint32, error) {
	ss := b.segs[i]
	if ids := b.x.fieldIDs.get(ss.Id(), field); ids != nil {
		return ids, nil
	}
	n := ss.Segment().Count()
	seqs := make([]int64, n)
	for local := range seqs {
		seq, err := b.seqOf(i, uint32(local))
		if err != nil {
			return nil, err
		}
		seqs[local] = seq
	}
	ids := make([]uint32, n)
	if err := b.x.cols.TermIDs(field, seqs, ids); err != nil {
		return nil, err
	}
	b.x.fieldIDs.put(ss.Id(), field, ids)
	return ids, nil
}

// fieldTables keep, for each segment and database field a pass asked
// about, every document's term id of the field by its number in the
// segment (4 bytes a document a field): a segment never changes, nor do
// its events' rows. A pass keeps those of its snapshot's segments and lets
// go of those merged away, as the key memo does.
type fieldTables struct {
	mu     sync.Mutex
	tables map[uint64]map[string][]uint32 // by segment id, then field
}

func (f *fieldTables) get(seg uint64, field string) []uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tables[seg][field]
}

func (f *fieldTables) put(seg uint64, field string, ids []uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tables == nil {
		f.tables = map[uint64]map[string][]uint32{}
	}
	if f.tables[seg] == nil {
		f.tables[seg] = map[string][]uint32{}
	}
	f.tables[seg][field] = ids
}

// keep lets go of the tables of segments snap does not hold.
func (f *fieldTables) keep(snap *scorch.IndexSnapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	held := map[uint64]bool{}
	for _, ss := range snap.Segments() {
		held[ss.Id()] = true
	}
	for seg := range f.tables {
		if !held[seg] {
			delete(f.tables, seg)
		}
	}
}

// seqOf is the seq of document local of segment i, from the memo or its key.
func (b *bitHits) seqOf(i int, local uint32) (int64, error) {
	num := b.starts[i] + uint64(local)
	known, here := b.memo.seq(num)
	if !here {
		known = b.memo.seqElsewhere(num)
	}
	if known != 0 {
		return int64(known), nil
	}
	key, err := b.segs[i].Segment().DocID(uint64(local))
	if err != nil {
		return 0, err
	}
	return b.x.readKey(b.memo, num, string(key))
}

// fieldMatch is which values of its field q, a term on one value a
// document (a database field, a stored field), accepts (valueMatch); none
// is Bleve's: where its searcher for q is its match-none searcher (a value
// the analyzer makes no term of), which a query string's conjunction or
// disjunction leaves out. The error is what Bleve says of q (a fuzziness
// above 2, a broken expression).
func fieldMatch(r index.IndexReader, m mapping.IndexMapping, q query.Query) (match func(string) bool, none bool, err error) {
	s, err := q.Searcher(context.Background(), r, m, searcherOptions)
	if err != nil {
		return nil, false, err
	}
	_, none = s.(*searcher.MatchNoneSearcher)
	if err := s.Close(); err != nil {
		return nil, false, err
	}
	if none {
		return nil, true, nil
	}
	match, err = valueMatch(m, q)
	return match, false, err
}

// valueMatch is which values of its field a term accepts, as Bleve's
// searcher picks the terms of a field's dictionary: a term itself; a
// wildcard or a regular expression by the same automaton over the whole
// value; a fuzzy term by the same Levenshtein automaton (transpositions
// counted as one edit) among the values with its prefix; a match query by
// its analyzed words. Numeric and date ranges take terms Bleve encodes
// from numbers, which no keyword value is. Any other query on such a field
// is an error, never an empty answer.
func valueMatch(m mapping.IndexMapping, q query.Query) (func(string) bool, error) {
	switch q := q.(type) {
	case *query.TermQuery:
		return func(v string) bool { return v == q.Term }, nil
	case *query.WildcardQuery:
		return automatonMatch(wildcardRegexp.Replace(q.Wildcard))
	case *query.RegexpQuery:
		return automatonMatch(strings.TrimPrefix(q.Regexp, "^"))
	case *query.PrefixQuery:
		return func(v string) bool { return strings.HasPrefix(v, q.Prefix) }, nil
	case *query.FuzzyQuery:
		if auto, known := unexported(q, "autoFuzzy"); !known || auto {
			break
		}
		return fuzzyMatch(q.Term, q.Prefix, q.Fuzziness)
	case *query.MatchQuery:
		return matchQueryMatch(m, q)
	case *query.NumericRangeQuery, *query.DateRangeQuery, *query.DateRangeStringQuery, *query.TermRangeQuery:
		return func(string) bool { return false }, nil
	}
	return nil, fmt.Errorf("this kind of query (%T) cannot search the field %s", q, q.(query.FieldableQuery).Field())
}

// matchQueryMatch is a match query's values: its text's words as the
// field's analyzer cuts them (one, the value, for a keyword field), each a
// term or a fuzzy term; any of them, or all for the AND operator.
func matchQueryMatch(m mapping.IndexMapping, q *query.MatchQuery) (func(string) bool, error) {
	if auto, known := unexported(q, "autoFuzzy"); !known || auto {
		return nil, fmt.Errorf("automatic fuzziness cannot search the field %s", q.FieldVal)
	}
	name := q.Analyzer
	if name == "" {
		name = m.AnalyzerNameForPath(q.FieldVal)
	}
	analyzer := m.AnalyzerNamed(name)
	if analyzer == nil {
		return nil, fmt.Errorf("no analyzer named %q", name)
	}
	var words []func(string) bool
	for _, t := range analyzer.Analyze([]byte(q.Match)) {
		term := string(t.Term)
		if q.Fuzziness == 0 {
			words = append(words, func(v string) bool { return v == term })
			continue
		}
		m, err := fuzzyMatch(term, q.Prefix, q.Fuzziness)
		if err != nil {
			return nil, err
		}
		words = append(words, m)
	}
	all := q.Operator == query.MatchQueryOperatorAnd
	return func(v string) bool {
		for _, w := range words {
			if w(v) != all {
				return !all
			}
		}
		return all
	}, nil
}

// automatonMatch accepts the values vellum's automaton of expr accepts
// whole (Bleve's regular expression searcher runs it over a dictionary).
func automatonMatch(expr string) (func(string) bool, error) {
	a, err := vregexp.New(expr)
	if err != nil {
		return nil, err
	}
	return func(v string) bool { return accepts(a, v) }, nil
}

func accepts(a vellum.Automaton, v string) bool {
	s := a.Start()
	for i := 0; i < len(v) && a.CanMatch(s); i++ {
		s = a.Accept(s, v[i])
	}
	return a.IsMatch(s)
}

// fuzzyMatch accepts the values within fuzziness edits of term that start
// with its prefix (its first bytes up to a rune boundary), as scorch's
// fuzzy dictionary does (NewFuzzySearcher, FieldDictFuzzyAutomaton).
func fuzzyMatch(term string, prefix, fuzziness int) (func(string) bool, error) {
	if fuzziness < 0 || fuzziness > searcher.MaxFuzziness {
		return nil, fmt.Errorf("fuzziness %d is not between 0 and %d", fuzziness, searcher.MaxFuzziness)
	}
	if fuzziness == 0 {
		return func(v string) bool { return v == term }, nil
	}
	cut := term
	for i := range term {
		if i >= prefix {
			cut = term[:i]
			break
		}
	}
	a, err := levBuilder(fuzziness).BuildDfa(term, uint8(fuzziness))
	if err != nil {
		return nil, err
	}
	return func(v string) bool { return strings.HasPrefix(v, cut) && accepts(a, v) }, nil
}

// levBuilders are scorch's Levenshtein automaton builders (distances 1 and
// 2, transpositions one edit), built once when first needed.
var levBuilders = sync.OnceValue(func() [3]*lev.LevenshteinAutomatonBuilder {
	var b [3]*lev.LevenshteinAutomatonBuilder
	for d := 1; d <= 2; d++ {
		var err error
		if b[d], err = lev.NewLevenshteinAutomatonBuilder(uint8(d), true); err != nil {
			panic(err)
		}
	}
	return b
})

func levBuilder(d int) *lev.LevenshteinAutomatonBuilder { return levBuilders()[d] }

// namesDatabaseField is whether a part of q is a term on a database field.
func namesDatabaseField(q query.Query) bool { return namesField(q, termFields) }

// namesField is whether a part of q is a term on one of fields (a
// storedQuery is one on its field).
func namesField(q query.Query, fields map[string]bool) bool {
	switch t := q.(type) {
	case *storedQuery:
		return fields[t.field]
	case query.FieldableQuery:
		if fields[t.Field()] {
			return true
		}
	}
	found := false
	eachPart(q, func(p query.Query) query.Query {
		found = found || namesField(p, fields)
		return p
	})
	return found
}
