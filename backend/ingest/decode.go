package ingest

import (
	"errors"
	"fmt"

	json "github.com/goccy/go-json"
)

// decodeObject decodes one JSON object, keeping numbers exact.
func decodeObject(raw []byte) (Fields, error) {
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("record is not a JSON object")
	}
	return m, nil
}

// decodeJSON decodes one JSON value, numbers as json.Number. It unmarshals
// rather than reading through goccy's Decoder, whose stream took twice the
// time (a demo record 6.0 → 3.1 µs, half the bytes allocated; at 1M events
// ~3 s of the import's CPU), and which ignored what followed the value.
func decodeJSON(raw []byte) (any, error) {
	var v any
	if err := json.UnmarshalWithOption(raw, &v, useNumber); err != nil {
		return nil, fmt.Errorf("invalid JSON: %s", shortErr(err))
	}
	return v, nil
}

// useNumber is what goccy's Decoder.UseNumber sets, for Unmarshal, which
// has no option of its own for it: the flag UseNumberOption of its
// internal/decoder (1 << 3 at the version go.mod pins;
// TestDecodeKeepsNumbersExact fails if it moves).
func useNumber(o *json.DecodeOption) { o.Flags |= 1 << 3 }

// decodeEmbedded decodes a string that holds a JSON object or array (or a
// Python-literal dict, as some CSV exports write them); ok is false when the
// string is neither.
func decodeEmbedded(s string) (any, bool) {
	t := trimSpace(s)
	if len(t) < 2 {
		return nil, false
	}
	switch {
	case t[0] == '{' && t[len(t)-1] == '}', t[0] == '[' && t[len(t)-1] == ']':
		if v, err := decodeJSON([]byte(t)); err == nil {
			return v, true
		}
		if v, ok := parsePyLiteral(t); ok {
			return v, true
		}
	case t[0] == '"' && t[len(t)-1] == '"':
		// a JSON string encoded twice ("\"KeyDescription\"")
		if v, err := decodeJSON([]byte(t)); err == nil {
			if inner, ok := v.(string); ok {
				if d, ok := decodeEmbedded(inner); ok {
					return d, true
				}
				return inner, true
			}
		}
	}
	return nil, false
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '\r' || s[j-1] == '\n') {
		j--
	}
	return s[i:j]
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
