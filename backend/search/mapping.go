// Package search is the case's Bleve full-text index: an explicit mapping,
// batch indexing with a stored watermark, and queries that return event ids.
// SQLite stays the source of truth; the index can be rebuilt from it.
package search

import (
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/truncate"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/mapping"
)

// MappingVersion changes whenever the mapping or the documents' ids do; an
// index of another version is stale and is rebuilt. 10: documents are keyed
// by seq (DocKey), not by event id. 11: the time's doc value is its exact
// term alone (its coarser terms are in a field of their own). 12: the time
// is its exact term alone (timefield.go). 13: the free text is several
// fields (textFields), the user agent with positions. 14: documents leave
// out the fields the database keeps, answered from its columns (Columns).
// 15: text fields keep no frequencies and norms (SkipFreqNorm). 16: the free
// text's values of one word are a field of their own, "word" (wordfield.go).
// 17: a document holds its user agent's number, the values kept once
// (shared.go). 18: the values kept 64 to an internal key. 19: the time is
// a stored field, no term (timefield.go). 20: the request id is stored,
// and indexed only in the reference's documents (storedfield.go). 21: terms
// are cut at maxTermRunes (truncateName). 22: a raw value's \uXXXX escapes
// are their characters (appendUnescaped), not spaces.
const MappingVersion = "22"

// Every term is cut after maxTermRunes characters (Bleve's truncate_token
// filter; a query's words are analysed alike, so a value searched whole
// still finds itself). Bleve's dictionary builder (vellum) holds a node
// for each byte of the term it adds: one value of 10 MB without a space took
// 1.2 GB to index. Lucene refuses terms past 32 KB; a term is rarely
// searched past its first thousand characters (a token, a key).
const (
	maxTermRunes = 1024
	truncateName = "auditlens_truncate"
)

const (
	keywordAnalyzer = "keyword_lower"
	// wordsAnalyzer is Bleve's standard analyzer (words, lower-cased,
	// English stop words dropped) with the ASCII fast path of tokenizer.go,
	// keeping positions but no offsets (positions.go): the same terms and
	// positions. Indexes made before it keep their stored analyzer
	// ("standard", or "words" with offsets) and answer the same.
	wordsAnalyzer = "words"
	// textAnalyzer is wordsAnalyzer over the free text's values, a phrase
	// inside one value only (values.go).
	textAnalyzer = "text_words"
)

// newMapping is the explicit mapping: keyword fields (whole value, any case)
// for exact terms and facets, text fields for words, no dynamic fields.
func newMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomTokenFilter(truncateName, map[string]any{"type": truncate.Name, "length": float64(maxTermRunes)}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(keywordAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []string{lowercase.Name, truncateName},
	}); err != nil {
		return nil, err
	}
	// words and text_words differ only in how they cut text into words.
	for name, tokenizer := range map[string]string{wordsAnalyzer: asciiTokenizerName, textAnalyzer: valuesTokenizerName} {
		if err := im.AddCustomAnalyzer(name, map[string]any{
			"type":          custom.Name,
			"tokenizer":     tokenizer,
			"token_filters": []string{lowercase.Name, en.StopName, positionsOnlyName, truncateName},
		}); err != nil {
			return nil, err
		}
	}
	im.DefaultAnalyzer = wordsAnalyzer
	// Free text goes to one field, "text", built from the message, the
	// actor, the targets and the raw record's values — not to Bleve's _all,
	// which would index every field a second time.
	im.DefaultField = "text"
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	doc := bleve.NewDocumentStaticMapping()
	// "time" is not mapped: Batch.Add stores it as a timeField.
	for _, f := range []string{"format", "category", "action", "outcome", "ip", "session", "request", "source", "tag", "user_agent_value"} {
		doc.AddFieldMappingsAt(f, keyword(f))
	}
	doc.AddFieldMappingsAt("message", text())
	doc.AddFieldMappingsAt("user_agent", text())
	free := text()
	free.Analyzer = textAnalyzer
	doc.AddFieldMappingsAt("text", free)
	doc.AddFieldMappingsAt(wordFieldName, wordOnly())
	actor := bleve.NewDocumentStaticMapping()
	for _, f := range []string{"id", "email", "type", "label"} { // label: email, else name, else id
		actor.AddFieldMappingsAt(f, keyword("actor."+f))
	}
	actor.AddFieldMappingsAt("name", text())
	doc.AddSubDocumentMapping("actor", actor)
	targets := bleve.NewDocumentStaticMapping()
	for _, f := range []string{"type", "id"} {
		targets.AddFieldMappingsAt(f, keyword("targets."+f))
	}
	targets.AddFieldMappingsAt("name", text())
	doc.AddSubDocumentMapping("targets", targets)
	// No field is in _all, but Bleve still builds and indexes the empty
	// composite field for every document (7% of an import's CPU) unless
	// the mapping disables it.
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	im.DefaultMapping = doc
	return im, nil
}

// keywordFields are the fields indexed whole (see keyword()); the mapping
// below builds exactly these.
var keywordFields = map[string]bool{
	"format": true, "category": true, "action": true, "outcome": true, "ip": true, "session": true,
	"request": true, "source": true, "actor.id": true, "actor.email": true, "actor.type": true,
	"actor.label": true, "targets.type": true, "targets.id": true, "tag": true, "user_agent_value": true,
}

// keyword is a field indexed whole. Only the facet fields keep doc values
// (a column of every document's terms, which facets read): nothing sorts or
// counts by the others, and theirs were 4% of the index. A keyword keeps
// its frequency and norm: zap writes a term of one document with a
// frequency of 1 in the dictionary alone (a request id, most sessions),
// where without them it writes a postings list (text fields only: 250k
// demo events, 159 MiB; every field: 163).
func keyword(name string) *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Analyzer = keywordAnalyzer
	f.Store = false
	f.IncludeInAll = false
	f.IncludeTermVectors = false
	f.DocValues = slices.Contains(FacetFields, name)
	return f
}

// text is a field of words, with positions (for phrases): each is a field
// of the free text (textFields). It keeps no frequency and norm of a term
// in each document: they serve only scores, every search here is unscored
// (Score "none"), and a phrase reads its positions without them; zap wrote
// them as two varints a posting (250k demo events: the index 171 -> 159
// MiB).
func text() *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Analyzer = wordsAnalyzer
	f.Store = false
	f.IncludeInAll = false
	f.IncludeTermVectors = true
	f.DocValues = false
	f.SkipFreqNorm = true
	return f
}

// wordOnly is the field of the free text's values of one word
// (wordfield.go): the words analyzer's term, no position, and a frequency
// and norm, so that a word of one document is kept in the dictionary
// alone.
func wordOnly() *mapping.FieldMapping {
	f := text()
	f.IncludeTermVectors = false
	f.SkipFreqNorm = false
	return f
}
