package diff

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"auditlens/backend/audit"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	if s == "" {
		return nil
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValues(t *testing.T) {
	cases := []struct {
		name, before, after string
		want                []audit.Change
	}{
		{"equal", `{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1.0}`, nil},
		{"changed leaf", `{"a":1}`, `{"a":2}`, []audit.Change{{Path: "a", Before: json.Number("1"), After: json.Number("2")}}},
		{"added and removed", `{"a":1}`, `{"b":"x"}`, []audit.Change{
			{Path: "a", Before: json.Number("1"), After: nil}, {Path: "b", Before: nil, After: "x"}}},
		{"nested", `{"rules":[{"timeout":15,"users":["u1"]}]}`, `{"rules":[{"timeout":30,"users":["u1","u2"]}]}`, []audit.Change{
			{Path: "rules[0].timeout", Before: json.Number("15"), After: json.Number("30")},
			{Path: "rules[0].users[1]", Before: nil, After: "u2"}}},
		{"created", ``, `{"name":"x","n":{"k":true}}`, []audit.Change{
			{Path: "n.k", Before: nil, After: true}, {Path: "name", Before: nil, After: "x"}}},
		{"deleted", `{"name":"x"}`, ``, []audit.Change{{Path: "name", Before: "x", After: nil}}},
		{"type change", `{"a":"1"}`, `{"a":1}`, []audit.Change{{Path: "a", Before: "1", After: json.Number("1")}}},
		{"object to scalar", `{"a":{"x":1}}`, `{"a":null}`, []audit.Change{{Path: "a.x", Before: json.Number("1"), After: nil}}},
		// past 2^53 a float64 holds neither: they compared equal
		{"large integers", `{"id":12345678901234567890}`, `{"id":12345678901234567891}`, []audit.Change{
			{Path: "id", Before: json.Number("12345678901234567890"), After: json.Number("12345678901234567891")}}},
		{"one number written three ways", `{"a":100,"b":0.5}`, `{"a":1e2,"b":5E-1}`, nil},
		{"exponents out of reach compare as text", `{"a":1e999999999}`, `{"a":1e999999999,"b":1E-999999}`, []audit.Change{
			{Path: "b", Before: nil, After: json.Number("1E-999999")}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Values("", decode(t, c.before), decode(t, c.after))
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %#v\nwant %#v", got, c.want)
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	got := Values("role", "USER", "ADMIN")
	if len(got) != 1 || got[0].Path != "role" || got[0].Before != "USER" || got[0].After != "ADMIN" {
		t.Fatalf("got %#v", got)
	}
}

func TestNumbersOfTwoDecoders(t *testing.T) {
	if !Equal(json.Number("1"), float64(1)) || !Equal(json.Number("0.1"), 0.1) || Equal(json.Number("0.1"), 0.2) {
		t.Fatal("a json.Number and a float64 of the same value differ, or of two values are one")
	}
}
