package search

import (
	"unsafe"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/size"
	index "github.com/blevesearch/bleve_index_api"
)

// The free text's values (freeText) are indexed in two fields (mapping
// 16): "text" holds the values of several words, with their positions, and
// "word" the values of one word (after analysis: "the payments" is one),
// that word alone, without positions. A phrase of several words matches
// inside one value only, so never inside a value of one word; a phrase of
// one word, a word, a pattern or a fuzzy word matches a term of either
// (spread asks both). Half of the free text's values are one word, and
// most of those are unique to an event (its id in the vendor's record, a
// request id, a timestamp's seconds): a word with its position and
// frequency is a postings list and a chunk of each, ~40 bytes; a word of
// one document without them zap keeps in the dictionary alone.
// TestFreeTextFieldsAsOneField holds the two to the hits of one field.

const wordFieldName = "word"

// freeSplit analyses an event's free text once for its two fields, value
// by value, when the first of them is analysed (Bleve analyses a
// document's fields one after the other, on one goroutine).
type freeSplit struct {
	values   []byte            // the free text: values, each ended by valueSep
	analyzer analysis.Analyzer // the words analyzer, applied to each value
	done     bool
	fields   [2]freeField // text, word
}

// freeField is one of the two fields of a freeSplit.
type freeField struct {
	name    string
	options index.FieldIndexingOptions
	split   *freeSplit
	freqs   index.TokenFrequencies
	n       int
}

var _ document.Field = (*freeField)(nil)

// newFreeSplit is the two fields of the free text values, with the options
// the mapping gives them.
func newFreeSplit(values string, analyzer analysis.Analyzer, text, word index.FieldIndexingOptions) *freeSplit {
	s := &freeSplit{values: []byte(values), analyzer: analyzer}
	s.fields = [2]freeField{{name: textFieldName, options: text, split: s}, {name: wordFieldName, options: word, split: s}}
	return s
}

// analyze cuts the values at valueSep and analyses each: a value of one
// word goes to "word", a value of more to "text", its positions valueGap
// past the last word of the value before there (as valuesTokenizer places
// them); a value of no word (stop words, punctuation) to neither.
func (s *freeSplit) analyze() {
	if s.done {
		return
	}
	s.done = true
	var text, word analysis.TokenStream
	last := 0
	for start := 0; start <= len(s.values); {
		value, next := nextValue(s.values, start)
		switch tokens := s.analyzer.Analyze(value); {
		case len(tokens) == 1:
			word = append(word, tokens[0])
		case len(tokens) > 1:
			last = placeValue(tokens, last)
			text = append(text, tokens...)
		}
		start = next
	}
	t, w := &s.fields[0], &s.fields[1]
	t.n, t.freqs = len(text), analysis.TokenFrequency(text, nil, t.options)
	w.n, w.freqs = len(word), analysis.TokenFrequency(word, nil, w.options)
	for _, f := range w.freqs {
		// Two values may be the same word ("Payments", "payments."): it is
		// one term of the document still, of frequency 1, which zap keeps in
		// its dictionary alone when no other document has it.
		f.SetFrequency(1)
	}
}

func (f *freeField) Name() string             { return f.name }
func (f *freeField) ArrayPositions() []uint64 { return nil }
func (f *freeField) EncodedFieldType() byte   { return 't' }
func (f *freeField) Options() index.FieldIndexingOptions {
	return f.options
}
func (f *freeField) Analyze() { f.split.analyze() }

// Value is the whole free text for "text", nothing for "word": the fields
// are not stored, and the text counts once in the index's statistics.
func (f *freeField) Value() []byte {
	if f.name == textFieldName {
		return f.split.values
	}
	return nil
}
func (f *freeField) NumPlainTextBytes() uint64                        { return uint64(len(f.Value())) }
func (f *freeField) AnalyzedLength() int                              { return f.n }
func (f *freeField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

func (f *freeField) Size() int {
	s := int(unsafe.Sizeof(*f)) + size.SizeOfPtr + len(f.name) + len(f.Value())
	if f.freqs != nil {
		s += f.freqs.Size()
	}
	return s
}
