package search

import (
	"testing"

	"auditlens/backend/audit"
)

// FuzzCompile: any query text is compiled or refused with an error, never a panic.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{`actor.email:alice@x.io +outcome:failure`, `"escalation policy"`, `action:Console*`,
		`+category:configuration -actor.type:system`, `tag:"a\"b"`, `/re.*gex/`, `time:>"2026-01-01"`, `time:<=1767312000000000000`, `+time:>99999999999999999999 -time:<-99999999999999999999`, `(`, `"unclosed`, `a:b:c`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		Compile(audit.Query{Text: s})
	})
}
