package search

import (
	"fmt"
	"slices"
	"testing"

	"auditlens/backend/audit"
)

// A query of one term, less the documents of terms it excludes, is passed
// over through its postings (eachTermSeq) and gives the seqs Bleve's
// searcher gives: over several segments, with documents written again
// (deleted in their old segments), a term in one document, a term in none,
// the default field and a named one, `+word`, `word -x -y`. Other queries
// keep to the searcher.
func TestTermPassAsTheSearcher(t *testing.T) {
	var evs []*audit.Event
	for i := range 240 {
		words := fmt.Sprintf("common w%d", i%5)
		if i == 17 {
			words += " onlyhere"
		}
		evs = append(evs, ev(fmt.Sprint("e", i), fmt.Sprintf("2026-03-01T10:%02d:%02dZ", i/60, i%60), "user.login", []string{"Ann Lee", "Bo Chan"}[i%2], `{"w":"`+words+`"}`))
	}
	evs[150].Tags = []string{"solo"} // a keyword in one document: zap's one-hit postings
	x := openIndex(t, evs[:100]...)
	// Two more segments, and events 3..9 written again without "common".
	for _, batch := range [][2]int{{100, 170}, {170, 240}} {
		b := x.NewBatch()
		for i := batch[0]; i < batch[1]; i++ {
			if err := b.Add(int64(i+1), evs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Commit(int64(batch[1]), true); err != nil {
			t.Fatal(err)
		}
	}
	for seq := int64(3); seq <= 9; seq++ {
		changed := *evs[seq-1]
		changed.Raw = audit.RawRecord(`{"w":"changed"}`)
		if err := x.Update(seq, &changed); err != nil {
			t.Fatal(err)
		}
	}
	pass := func(text string, searcher bool) []int64 {
		x.noTermPass = searcher
		defer func() { x.noTermPass = false }()
		var seqs []int64
		n, err := x.EachSeq(audit.Query{Text: text}, func(seq int64) { seqs = append(seqs, seq) })
		if err != nil || n != uint64(len(seqs)) {
			t.Fatal(text, err, n, len(seqs))
		}
		slices.Sort(seqs)
		return seqs
	}
	searcherOnly := []string{"common w3", "+common +w1", "w*", `"common w2"`, "-common", "common -the", `common -"w1 x"`, "+common w1 -w2"}
	for _, text := range append([]string{"common", "w3", "onlyhere", "changed", "nosuchword", "actor.name:bo", "tag:solo", "+common", "COMMON",
		"common -w3", "common -w3 -w1", "+common -w3", "common -tag:solo", "onlyhere -common", "common -nosuchword", "changed -actor.name:ann"},
		searcherOnly...) {
		bq, err := x.compile(audit.Query{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		tq, _ := termLessTerms(bq)
		if passed, want := tq != nil, !slices.Contains(searcherOnly, text); passed != want {
			t.Errorf("%q: through the postings %v", text, passed)
		}
		got, want := pass(text, false), pass(text, true)
		if !slices.Equal(got, want) {
			t.Fatalf("%q: postings give %v\nthe searcher %v", text, got, want)
		}
	}
	if got := pass("common", false); len(got) != 233 || slices.Contains(got, 5) {
		t.Fatalf("common: %d hits, %v", len(got), got)
	}
	if got := pass("onlyhere", false); !slices.Equal(got, []int64{18}) {
		t.Fatalf("onlyhere: %v", got)
	}
	if got := pass("tag:solo", false); !slices.Equal(got, []int64{151}) {
		t.Fatalf("tag:solo: %v", got)
	}
}
