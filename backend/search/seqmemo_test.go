package search

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"

	"auditlens/backend/audit"
)

// A pass over hits gives every hit's seq whether its key is read or
// remembered: passes after the first read no key on the same snapshot, and
// after events are added and one is changed (new snapshots, the changed
// event under a new document number) they give the new hits, also two
// passes at once.
func TestEachSeqRemembersKeysPerSnapshot(t *testing.T) {
	var evs []*audit.Event
	for i := range 300 {
		word := "common"
		if i%7 == 0 {
			word += " rare"
		}
		evs = append(evs, ev(fmt.Sprint("e", i), fmt.Sprintf("2026-03-01T10:%02d:%02dZ", i/60, i%60), "user.login", "Ann Lee", `{"w":"`+word+`"}`))
	}
	x := openIndex(t, evs...)
	pass := func(text string) []int64 {
		var seqs []int64
		n, err := x.EachSeq(audit.Query{Text: text}, func(seq int64) { seqs = append(seqs, seq) })
		if err != nil || n != uint64(len(seqs)) {
			t.Fatal(err, n, len(seqs))
		}
		slices.Sort(seqs)
		return seqs
	}
	want := func(from, to int, skip ...int64) []int64 {
		var out []int64
		for seq := int64(from); seq <= int64(to); seq++ {
			if !slices.Contains(skip, seq) {
				out = append(out, seq)
			}
		}
		return out
	}
	if got := pass("common"); !slices.Equal(got, want(1, 300)) {
		t.Fatalf("first pass: %v", got)
	}
	table := x.memo.seqs
	if len(table) < 300 {
		t.Fatalf("%d documents remembered", len(table))
	}
	if got := pass("rare"); len(got) != 43 || got[0] != 1 || got[1] != 8 {
		t.Fatalf("rare: %v", got)
	}
	if got := pass("common"); !slices.Equal(got, want(1, 300)) || &x.memo.seqs[0] != &table[0] {
		t.Fatalf("a pass on the same snapshot read keys again, or gave %v", got)
	}

	// Event 5 (seq 5) loses the word, and two more events come.
	b := x.NewBatch()
	changed := *evs[4]
	changed.Raw = audit.RawRecord(`{"w":"changed"}`)
	for i, e := range []*audit.Event{&changed, evs[10], evs[11]} {
		if err := b.Add([]int64{5, 301, 302}[i], e); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(302, true); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]int64, 2)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = pass("common") }()
	}
	wg.Wait()
	for _, g := range got {
		if !slices.Equal(g, want(1, 302, 5)) {
			t.Fatalf("after the change: %v", g)
		}
	}
	if got := pass("changed"); !slices.Equal(got, []int64{5}) {
		t.Fatalf("the changed event: %v", got)
	}
}

// A memo is of one snapshot: another's pass finds nothing in it, and the
// pass that ends last publishes its own.
func TestSeqMemoIsOfOneSnapshot(t *testing.T) {
	a, b := &scorch.IndexSnapshot{}, &scorch.IndexSnapshot{}
	id := func(n uint64) index.IndexInternalID { return index.NewIndexInternalID(nil, n) }
	var m seqMemo
	p := m.begin(a)
	if num, seq := p.seq(id(7)); num != 7 || seq != 0 {
		t.Fatal(num, seq)
	}
	p.note(7, 70)
	p.note(2, 20)
	if _, seq := p.seq(id(7)); seq != 70 {
		t.Fatal("a pass does not find what it noted", seq)
	}
	p.end()
	if _, seq := m.begin(a).seq(id(2)); seq != 20 {
		t.Fatal("not published", seq)
	}
	q := m.begin(b)
	if _, seq := q.seq(id(7)); seq != 0 {
		t.Fatal("another snapshot's memo was used", seq)
	}
	q.note(3, 30)
	q.end()
	if _, seq := m.begin(a).seq(id(7)); seq != 0 {
		t.Fatal("the older snapshot's memo outlived the newer one's", seq)
	}
	if _, seq := m.begin(b).seq(id(3)); seq != 30 {
		t.Fatal(seq)
	}
	if _, seq := m.begin(b).seq(index.IndexInternalID("short")); seq != 0 {
		t.Fatal(seq)
	}
	r := m.begin(b)
	r.note(memoMax, 5)
	r.note(4, 1<<32)
	r.end()
	if len(m.seqs) != 4 {
		t.Fatalf("numbers past memoMax or seqs past 32 bits were kept: %d", len(m.seqs))
	}
	// A reader that is not a scorch snapshot is not remembered.
	type other struct{ index.IndexReader }
	o := m.begin(&other{})
	o.note(1, 10)
	o.end()
	if _, seq := m.begin(b).seq(id(3)); seq != 30 {
		t.Fatal("another reader's pass replaced the memo", seq)
	}
	if _, seq := m.begin(&other{}).seq(id(1)); seq != 0 {
		t.Fatal("another reader's pass was remembered", seq)
	}
}
