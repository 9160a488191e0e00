package ingest

import (
	"strings"
	"testing"

	json "github.com/goccy/go-json"
)

// Numbers decode as json.Number, exactly as written, at any depth (an id of
// 20 digits is no float); one value alone is a record, and a value with
// anything but space after it is invalid.
func TestDecodeKeepsNumbersExact(t *testing.T) {
	m, err := decodeObject([]byte(`{"id": 12345678901234567890123, "big": 1e400, "neg": -0.0,
		"list": [7, {"deep": 9007199254740993}], "s": "1"}` + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	deep := m["list"].([]any)[1].(map[string]any)["deep"]
	for k, want := range map[string]any{"id": "12345678901234567890123", "big": "1e400", "neg": "-0.0",
		"list[0]": "7", "deep": "9007199254740993", "s": nil} {
		var got any
		switch k {
		case "list[0]":
			got = m["list"].([]any)[0]
		case "deep":
			got = deep
		default:
			got = m[k]
		}
		n, ok := got.(json.Number)
		if want == nil {
			if ok || got != "1" {
				t.Errorf("%s: %#v, want the string \"1\"", k, got)
			}
			continue
		}
		if !ok || string(n) != want {
			t.Errorf("%s: %#v (%T), want json.Number(%s)", k, got, got, want)
		}
	}
	for _, bad := range []string{`{"a":1} {"b":2}`, `{"a":1} x`, `{"a":`, `[1]`, ``} {
		if _, err := decodeObject([]byte(bad)); err == nil {
			t.Errorf("%q decoded", bad)
		} else if !strings.HasPrefix(err.Error(), "invalid JSON: ") && bad != `[1]` {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
