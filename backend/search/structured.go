package search

import (
	"regexp"
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"

	"auditlens/backend/audit"
	"auditlens/backend/store"
)

// Structured turns q into a filter the database answers alone, when every
// term of q names a field of store.TermFields (a query with words, or other
// fields, is the index's: ok is false). The filter means what Bleve makes
// of the same query string: +must, -must not, and otherwise at least one of
// the plain terms; values folded as the index folds them; wildcards and
// regular expressions matched against whole values.
func Structured(q audit.Query) (f *store.Filter, ok bool) {
	text := strings.TrimSpace(q.Text)
	if text == "" || text == "*" {
		return &store.Filter{Op: store.OpAll}, true
	}
	parsed, err := parseText(text)
	if err != nil {
		return nil, false // the index reports the error
	}
	return structured(adjust(parsed))
}

var termFields = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range store.TermFields {
		m[f] = true
	}
	return m
}()

func structured(q query.Query) (*store.Filter, bool) {
	switch t := q.(type) {
	case *query.BooleanQuery:
		if t.Filter != nil {
			return nil, false
		}
		var must, should, not *store.Filter
		var ok bool
		if t.Must != nil {
			if must, ok = structured(t.Must); !ok {
				return nil, false
			}
		}
		if t.Should != nil {
			if d, isD := t.Should.(*query.DisjunctionQuery); !isD || d.Min > 1 {
				return nil, false
			}
			if should, ok = structured(t.Should); !ok {
				return nil, false
			}
		}
		if t.MustNot != nil {
			if not, ok = structured(t.MustNot); !ok {
				return nil, false
			}
			not = &store.Filter{Op: store.OpNot, Kids: []*store.Filter{not}}
		}
		// Bleve: with a must clause the plain terms only score; without
		// one, at least one of them must match; only must-nots: all others.
		base := must
		if base == nil {
			base = should
		}
		switch {
		case base == nil && not == nil:
			return &store.Filter{Op: store.OpOr}, true // nothing
		case base == nil:
			return not, true
		case not == nil:
			return base, true
		}
		return &store.Filter{Op: store.OpAnd, Kids: []*store.Filter{base, not}}, true
	case *query.ConjunctionQuery:
		return structuredKids(store.OpAnd, t.Conjuncts)
	case *query.DisjunctionQuery:
		if t.Min > 1 {
			return nil, false
		}
		return structuredKids(store.OpOr, t.Disjuncts)
	case *query.MatchAllQuery:
		return &store.Filter{Op: store.OpAll}, true
	case *query.MatchQuery:
		if !termFields[t.FieldVal] || t.Fuzziness != 0 || t.Prefix != 0 || t.Analyzer != "" || t.Match == "" {
			return nil, false
		}
		return &store.Filter{Op: store.OpTerm, Field: t.FieldVal, Value: store.Fold(t.Match)}, true
	case *query.WildcardQuery:
		return pattern(t.FieldVal, wildcardRegexp.Replace(t.Wildcard))
	case *query.RegexpQuery:
		return pattern(t.FieldVal, t.Regexp)
	case *query.PrefixQuery:
		return pattern(t.FieldVal, regexp.QuoteMeta(t.Prefix)+".*")
	}
	return nil, false
}

func structuredKids(op store.Op, kids []query.Query) (*store.Filter, bool) {
	f := &store.Filter{Op: op}
	for _, k := range kids {
		kf, ok := structured(k)
		if !ok {
			return nil, false
		}
		f.Kids = append(f.Kids, kf)
	}
	return f, true
}

// pattern is a term matching values of field whole against re (Bleve runs
// the same expression over the index's dictionary of the field).
func pattern(field, re string) (*store.Filter, bool) {
	if !termFields[field] {
		return nil, false
	}
	p, err := regexp.Compile(`^(?:` + re + `)$`)
	if err != nil {
		return nil, false
	}
	return &store.Filter{Op: store.OpTerm, Field: field, Pattern: p}, true
}

// wildcardRegexp is Bleve's translation of a wildcard into a regular
// expression (search/query/wildcard.go).
var wildcardRegexp = strings.NewReplacer(
	"+", `\+`, "(", `\(`, ")", `\)`, "^", `\^`, "$", `\$`, ".", `\.`, "{", `\{`, "}", `\}`,
	"[", `\[`, "]", `\]`, `|`, `\|`, `\`, `\\`,
	"*", ".*", "?", ".")
