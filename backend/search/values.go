package search

import (
	"bytes"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// valueSep ends each value of the free text (freeText). Valid JSON holds it
// only escaped, which is read as a space; a value that holds it anyway (a
// broken record, a CSV line) is two values there, for phrases only.
const valueSep = '\x1e'

// valueGap is how many positions the free text's analyzer leaves between
// two values, so that a phrase matches inside one value only, as one in
// the message or a name does, never across the end of one value and the
// start of the next (a phrase with fewer than valueGap stop words in a row,
// which is every phrase a person writes). Elasticsearch leaves the same gap
// between the values of a field.
const valueGap = 100

// valuesTokenizer cuts a free text into its values at valueSep and each
// value into words as the words analyzer does (asciiTokenizer), the
// positions of each value valueGap past the last word of the one before.
type valuesTokenizer struct{ words *asciiTokenizer }

const valuesTokenizerName = "auditlens_values"

func init() {
	if err := registry.RegisterTokenizer(valuesTokenizerName, func(config map[string]any, cache *registry.Cache) (analysis.Tokenizer, error) {
		t, err := cache.TokenizerNamed(asciiTokenizerName)
		if err != nil {
			return nil, err
		}
		return &valuesTokenizer{t.(*asciiTokenizer)}, nil
	}); err != nil {
		panic(err)
	}
}

func (t *valuesTokenizer) Tokenize(input []byte) analysis.TokenStream {
	if bytes.IndexByte(input, valueSep) < 0 {
		return t.words.Tokenize(input)
	}
	var out analysis.TokenStream
	last := 0 // the position of the text's last word so far
	for start := 0; start <= len(input); {
		value, next := nextValue(input, start)
		words := t.words.Tokenize(value)
		for _, w := range words {
			w.Start += start
			w.End += start
		}
		last = placeValue(words, last)
		out = append(out, words...)
		start = next
	}
	return out
}

// nextValue is the value of a free text that begins at start, cut at
// valueSep, and where the value after it begins (past len(text): none).
func nextValue(text []byte, start int) (value []byte, next int) {
	end := bytes.IndexByte(text[start:], valueSep)
	if end < 0 {
		return text[start:], len(text) + 1
	}
	return text[start : start+end], start + end + 1
}

// placeValue moves a value's words valueGap past last, the position of the
// text's last word before them (0: none), and returns the position of the
// last of them (last, if they are none).
func placeValue(words analysis.TokenStream, last int) int {
	if len(words) == 0 {
		return last
	}
	if last > 0 {
		for _, w := range words {
			w.Position += last + valueGap
		}
	}
	return words[len(words)-1].Position
}
