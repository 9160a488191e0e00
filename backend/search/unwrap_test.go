package search

import (
	"fmt"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"auditlens/backend/audit"
)

// Taking Bleve's one-child wrappers away (compile) keeps every query's hits:
// words, stop words, several words in one term, phrases, fuzzy words,
// fields, wildcards, ranges, must, should and must-not mixed, each compared
// with the query as the parser builds it.
func TestUnwrapKeepsTheHits(t *testing.T) {
	x := openIndex(t, unwrapTrail()...)
	hits := func(text string, unwrapped bool) []int64 {
		q := audit.Query{Text: text}
		bq, err := Compile(q)
		if err == nil { // (the free text is several fields; the names are shared)
			bq, err = x.shareParts(t.Context(), spread(bq, x.idx.Mapping()))
		}
		if unwrapped {
			bq, err = x.compile(q)
		}
		if err != nil {
			t.Fatal(err)
		}
		return hitSeqs(t, x, bq)
	}
	some := 0
	for _, text := range []string{
		`payments`, `PAYMENTS`, `the`, `of payments`, `login-admin`, `admin/primary`, `+the +payments`, `the payments`, `-the`, `eu-west-1`, `+eu-west-1 -admin`,
		`"queue depth"`, `"queue depth" payments`, `paymnts~1`, `message:login`, `actor.name:ann`, `actor.name:"Ann Lee"`,
		`action:queue.*`, `+payments login`, `+payments +login`, `payments -login`, `-payments -login`, `payments^3 admin`,
		`+outcome:failure payments`, `outcome:failure -payments`, `+(payments login) +outcome:failure`, `failed primary`,
		`+time:>="2026-03-10T00:00:00Z" payments`, `text:queue`, `message:the`, `nothing`, `+nothing payments`,
	} {
		want, got := hits(text, false), hits(text, true)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %d hits unwrapped, %d as parsed\n%v\n%v", text, len(got), len(want), got, want)
		}
		if len(want) > 0 && len(want) < 400 {
			some++
		}
	}
	if some < 20 {
		t.Fatalf("only %d queries have some of the events", some)
	}
}

// unwrapTrail is 400 events of a few words, stop words among them, in
// messages and raw records, three actions, names and outcomes.
func unwrapTrail() []*audit.Event {
	words := []string{"payments", "queue", "depth", "the", "login", "eu-west-1", "Failed", "primary", "of", "admin"}
	var evs []*audit.Event
	for i := range 400 {
		msg := fmt.Sprintf("%s %s %s", words[i%len(words)], words[i*7%len(words)], words[i*3%len(words)])
		e := ev(fmt.Sprint("e", i), fmt.Sprintf("2026-03-%02dT10:%02d:00Z", 1+i%28, i%60), []string{"user.login", "alert.created", "queue.depth"}[i%3],
			[]string{"Ann Lee", "Bob Ray", "Cy Young"}[i%3], fmt.Sprintf(`{"note":%q}`, msg))
		e.Message = msg
		if i%5 == 0 {
			e.Outcome = "failure"
		}
		evs = append(evs, e)
	}
	return evs
}

// hitSeqs gives the seqs of bq's hits, in order.
func hitSeqs(t testing.TB, x *Index, bq query.Query) []int64 {
	seqs, err := searchSeqs(x, bq)
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

func searchSeqs(x *Index, bq query.Query) ([]int64, error) {
	var seqs []int64
	_, err := x.eachMatch(bq, func(sc *search.SearchContext) (func(*search.DocumentMatch) error, error) {
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return nil
			}
			key, err := sc.IndexReader.ExternalID(d.IndexInternalID)
			if err != nil {
				return err
			}
			seq, err := SeqOf(key)
			seqs = append(seqs, seq)
			return err
		}, nil
	})
	slices.Sort(seqs)
	return seqs, err
}
