package search

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// asciiTokenizer cuts text into the words Bleve's unicode tokenizer does,
// byte for byte and position for position, several times faster on ASCII.
// Word segmentation (github.com/blevesearch/segment, UAX #29 as of Unicode
// 8.0) was most of the time Bleve spent analysing an import's events, and
// audit records are nearly always ASCII. Text with any other byte goes to
// the unicode tokenizer itself. TestASCIITokenizerAsUnicode and
// FuzzASCIITokenizer hold the two to the same tokens.
//
// For ASCII the rules are few. A word is a run of letters, digits and '_'
// (WB5, WB8-10, WB13a-b); it also takes one of . ' : between two letters
// (WB6-7: MidNumLet, Single_Quote, MidLetter) and one of . ' , ; between two
// digits (WB11-12: MidNumLet, Single_Quote, MidNum). Every other byte is a
// segment of its own and no token.
type asciiTokenizer struct{ unicode *unicode.UnicodeTokenizer }

const asciiTokenizerName = "auditlens_ascii"

func init() {
	if err := registry.RegisterTokenizer(asciiTokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return &asciiTokenizer{unicode.NewUnicodeTokenizer()}, nil
	}); err != nil {
		panic(err)
	}
}

const (
	cOther byte = iota
	cLetter
	cDigit
	cUnderscore
	cMidBoth   // . '  between letters or between digits
	cMidLetter // :   between letters
	cMidNum    // , ; between digits
)

var asciiClass = func() (t [128]byte) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = cLetter, cLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit
	}
	t['_'] = cUnderscore
	t['.'], t['\''] = cMidBoth, cMidBoth
	t[':'] = cMidLetter
	t[','], t[';'] = cMidNum, cMidNum
	return t
}()

func (t *asciiTokenizer) Tokenize(input []byte) analysis.TokenStream {
	for _, c := range input {
		if c >= 0x80 {
			return t.unicode.Tokenize(input)
		}
	}
	// One array of tokens for the whole text: a word is rarely shorter
	// than four bytes with its separator.
	tokens := make([]analysis.Token, 0, len(input)/6+1)
	pos := 1
	for i := 0; i < len(input); {
		k := asciiClass[input[i]]
		if k != cLetter && k != cDigit && k != cUnderscore {
			i++
			continue
		}
		start, letters, digits := i, false, false
		for i < len(input) {
			switch k = asciiClass[input[i]]; k {
			case cLetter:
				letters = true
				i++
				continue
			case cDigit:
				digits = true
				i++
				continue
			case cUnderscore:
				i++
				continue
			}
			// a middle byte joins only its own kind on both sides
			if i+1 < len(input) && i > start {
				prev, next := asciiClass[input[i-1]], asciiClass[input[i+1]]
				if prev == next && (prev == cLetter && (k == cMidBoth || k == cMidLetter) ||
					prev == cDigit && (k == cMidBoth || k == cMidNum)) {
					i += 2
					continue
				}
			}
			break
		}
		typ := analysis.AlphaNumeric // a word, or underscores alone
		if digits && !letters {
			typ = analysis.Numeric
		}
		tokens = append(tokens, analysis.Token{Term: input[start:i], Start: start, End: i, Position: pos, Type: typ})
		pos++
	}
	out := make(analysis.TokenStream, len(tokens))
	for j := range tokens {
		out[j] = &tokens[j]
	}
	return out
}
