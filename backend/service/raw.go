package service

import (
	"bytes"
	"encoding/json"
)

// decodeRaw decodes a JSON raw record (numbers kept exact); any other
// record is its text.
func decodeRaw(raw []byte) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return string(raw)
	}
	return v
}
