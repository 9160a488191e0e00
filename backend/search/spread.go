package search

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
)

// spread is q with each of its queries of the free text (no field, or
// "text") made the same query over each field of textFields and "word", in
// a disjunction (spreadPhrase: a phrase on "word" is its one word's term). A match query of several words (`eu-west-1`) is each word
// over the fields, as Bleve's match query is each word over its field. A
// match or phrase query whose text the analyzer makes no word (a stop
// word) is left as it is: its searcher is match-none, which a query
// string's conjunction leaves out (`+the +payments`), where a disjunction
// of five would be kept, and match nothing.
// TestFreeTextFieldsAsOneField holds the hits to those of the one field.
func spread(q query.Query, m mapping.IndexMapping) query.Query {
	eachPart(q, func(p query.Query) query.Query { return spread(p, m) })
	switch t := q.(type) {
	case *query.MatchQuery:
		if free(t.FieldVal) {
			return spreadMatch(t, m)
		}
	case *query.MatchPhraseQuery:
		if a := freeAnalyzer(t.Analyzer, m); free(t.FieldVal) && a != nil {
			if words := a.Analyze([]byte(t.MatchPhrase)); len(words) > 0 {
				if auto, known := unexported(t, "autoFuzzy"); known {
					return spreadPhrase(t, words, auto)
				}
			}
		}
	case *query.TermQuery:
		if free(t.FieldVal) {
			return overFields(t)
		}
	case *query.FuzzyQuery:
		if free(t.FieldVal) {
			return overFields(t)
		}
	case *query.WildcardQuery:
		if free(t.FieldVal) {
			return overFields(t)
		}
	case *query.RegexpQuery:
		if free(t.FieldVal) {
			return overFields(t)
		}
	case *query.PrefixQuery:
		if free(t.FieldVal) {
			return overFields(t)
		}
	}
	return q
}

// free is whether a query's field is the free text.
func free(field string) bool { return field == "" || field == textFieldName }

// textFieldName is the free text's field of its own.
const textFieldName = "text"

// overFields is a copy of q on each field of textFields and on "word", in a
// disjunction: q matches terms, of either field of the free text's values.
func overFields[T any, Q interface {
	*T
	query.Query
	SetField(string)
}](q Q) query.Query {
	return query.NewDisjunctionQuery(append(onTextFields(q), onField(q, wordFieldName)))
}

// onTextFields is a copy of q on each field of textFields.
func onTextFields[T any, Q interface {
	*T
	query.Query
	SetField(string)
}](q Q) []query.Query {
	parts := make([]query.Query, len(textFields))
	for i, f := range textFields {
		parts[i] = onField(q, f)
	}
	return parts
}

func onField[T any, Q interface {
	*T
	query.Query
	SetField(string)
}](q Q, field string) Q {
	c := Q(new(T))
	*c = *q
	c.SetField(field)
	return c
}

// spreadPhrase is a phrase of the free text, of the words given, over
// textFields, and where it is one word (a phrase is relative to its first
// word: `"the payments"` is one), that word's term on "word", or the fuzzy
// term Bleve's phrase searcher makes of it (no prefix): a value there is
// one word, and a phrase of several matches inside one value only.
func spreadPhrase(q *query.MatchPhraseQuery, words analysis.TokenStream, auto bool) query.Query {
	parts := onTextFields(q)
	if len(words) == 1 {
		term := string(words[0].Term)
		if q.Fuzziness != 0 || auto {
			fq := query.NewFuzzyQuery(term)
			fq.SetFuzziness(q.Fuzziness)
			fq.SetAutoFuzziness(auto)
			fq.SetField(wordFieldName)
			parts = append(parts, fq)
		} else {
			tq := query.NewTermQuery(term)
			tq.SetField(wordFieldName)
			parts = append(parts, tq)
		}
	}
	return query.NewDisjunctionQuery(parts)
}

// freeAnalyzer is the analyzer named, or the free text's (nil: none such).
func freeAnalyzer(name string, m mapping.IndexMapping) analysis.Analyzer {
	if name == "" {
		name = m.AnalyzerNameForPath(textFieldName)
	}
	return m.AnalyzerNamed(name)
}

// spreadMatch is a match query of the free text as Bleve's MatchQuery
// builds its searcher (each word a term, or a fuzzy term; all of them, or
// one), each word over the fields. Of no word, it is a conjunction of
// none, whose searcher is match-none as the match query's was.
func spreadMatch(q *query.MatchQuery, m mapping.IndexMapping) query.Query {
	a := freeAnalyzer(q.Analyzer, m)
	auto, known := unexported(q, "autoFuzzy")
	if a == nil || !known {
		return q // (its searcher reports the one; the other, Bleve changed)
	}
	tokens := a.Analyze([]byte(q.Match))
	parts := make([]query.Query, len(tokens))
	for i, tk := range tokens {
		term := string(tk.Term)
		if q.Fuzziness != 0 || auto {
			fq := query.NewFuzzyQuery(term)
			fq.SetFuzziness(q.Fuzziness)
			fq.SetAutoFuzziness(auto)
			fq.SetPrefix(q.Prefix)
			parts[i] = overFields(fq)
		} else {
			parts[i] = overFields(query.NewTermQuery(term))
		}
	}
	if q.Operator == query.MatchQueryOperatorOr {
		d := query.NewDisjunctionQuery(parts)
		d.SetMin(1)
		return d
	}
	return query.NewConjunctionQuery(parts)
}
