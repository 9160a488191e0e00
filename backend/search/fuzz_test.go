package search

import (
	"slices"
	"testing"

	"auditlens/backend/audit"
)

// FuzzCompile: any query text is compiled or refused with an error, never a
// panic, and the index's own compiling (without Bleve's one-child wrappers)
// finds the same hits as the parser's query.
func FuzzCompile(f *testing.F) {
	x := openIndex(f, unwrapTrail()...)
	for _, s := range []string{`actor.email:alice@x.io +outcome:failure`, `"escalation policy"`, `action:Console*`,
		`+category:configuration -actor.type:system`, `tag:"a\"b"`, `/re.*gex/`, `time:>"2026-01-01"`, `time:<=1767312000000000000`, `+time:>99999999999999999999 -time:<-99999999999999999999`, `(`, `"unclosed`, `a:b:c`} {
		f.Add(s)
	}
	for _, s := range []string{`payments -login`, `+the +payments`, `login-admin`, `"queue depth" admin~1`, `A0~7`, `user_agent:/[/`, `user_agent:x~3 payments`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := audit.Query{Text: s}
		bq, err := Compile(q)
		if err != nil {
			return
		}
		bq = spread(bq, x.idx.Mapping()) // (the free text is several fields)
		if len(s) > 200 {
			return // a long pattern makes a search of seconds; the wrappers are in the short ones
		}
		ubq, err := x.compile(q)
		if err != nil {
			t.Fatalf("%q: compiled, then not: %v", s, err)
		}
		want, err1 := searchSeqs(x, bq) // a query may compile and fail to search (a date range on a word field)
		got, err2 := searchSeqs(x, ubq)
		if (err1 != nil) != (err2 != nil) || !slices.Equal(got, want) {
			t.Fatalf("%q: %d hits unwrapped (%v), %d as parsed (%v)", s, len(got), err2, len(want), err1)
		}
	})
}
