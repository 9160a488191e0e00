package search

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	index "github.com/blevesearch/bleve_index_api"

	"auditlens/backend/audit"
)

// A pass over hits gives every hit's seq whether its key is read or
// remembered. Passes after the first read no key; after an event is changed
// and two are added (a new snapshot: the old segment, its changed document
// deleted, and a new segment) passes give the new hits and read the keys of
// the new segment's hits only, also two passes at once.
func TestEachSeqRemembersKeysPerSegment(t *testing.T) {
	var evs []*audit.Event
	for i := range 300 {
		word := "common"
		if i%7 == 0 {
			word += " rare"
		}
		evs = append(evs, ev(fmt.Sprint("e", i), fmt.Sprintf("2026-03-01T10:%02d:%02dZ", i/60, i%60), "user.login", "Ann Lee", `{"w":"`+word+`"}`))
	}
	noMerges = true // (a merge of the two segments would make one whose keys are all read again)
	x := openIndex(t, evs...)
	noMerges = false
	pass := func(text string) []int64 {
		var seqs []int64
		n, err := x.EachSeq(audit.Query{Text: text}, func(seq int64) { seqs = append(seqs, seq) })
		if err != nil || n != uint64(len(seqs)) {
			t.Fatal(err, n, len(seqs))
		}
		slices.Sort(seqs)
		return seqs
	}
	reads := func() uint64 { return x.keyReads.Load() }
	want := func(from, to int, skip ...int64) []int64 {
		var out []int64
		for seq := int64(from); seq <= int64(to); seq++ {
			if !slices.Contains(skip, seq) {
				out = append(out, seq)
			}
		}
		return out
	}
	if got := pass("common"); !slices.Equal(got, want(1, 300)) || reads() != 300 {
		t.Fatalf("first pass: %d keys read, %v", reads(), got)
	}
	if got := pass("rare"); len(got) != 43 || got[0] != 1 || got[1] != 8 {
		t.Fatalf("rare: %v", got)
	}
	if got := pass("common"); !slices.Equal(got, want(1, 300)) || reads() != 300 {
		t.Fatalf("passes on the same snapshot read %d keys, or gave %v", reads()-300, got)
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
	// The new segment's two hits, read by one pass or both.
	if n := reads() - 300; n < 2 || n > 4 {
		t.Fatalf("after the change the passes read %d keys", n)
	}
	before := reads()
	if got := pass("common"); !slices.Equal(got, want(1, 302, 5)) || reads() != before {
		t.Fatalf("%d keys read again, %v", reads()-before, got)
	}
	if got := pass("changed"); !slices.Equal(got, []int64{5}) {
		t.Fatalf("the changed event: %v", got)
	}
	// The memo holds the tables of the snapshot's segments only.
	r := readerOf(t, x)
	p := x.memo.begin(r)
	if segs := len(x.memo.tables); segs != 2 {
		t.Fatalf("%d tables, 2 segments", segs)
	}
	// Numbers looked up in any order find their segments: 303 documents,
	// the old segment's 300 (seq 5's deleted since it was read) and the new
	// one's 3, each remembered as the seq its key names.
	id := func(n uint64) index.IndexInternalID { return index.NewIndexInternalID(nil, n) }
	inOrder, known := make([]uint32, 303), 0
	for num := range inOrder {
		inOrder[num] = p.seqElsewhere(docNum(id(uint64(num))))
		if inOrder[num] == 0 {
			continue
		}
		known++
		key, err := r.ExternalID(id(uint64(num)))
		if err != nil {
			t.Fatal(err)
		}
		if seq, err := SeqOf(key); err != nil || seq != int64(inOrder[num]) {
			t.Fatalf("document %d: seq %d remembered, its key %q", num, inOrder[num], key)
		}
	}
	if known != 303 {
		t.Fatalf("%d documents remembered", known)
	}
	q := x.memo.begin(r)
	for _, num := range []uint64{302, 4, 301, 0, 300, 299, 150} {
		if seq := q.seqElsewhere(docNum(id(num))); seq != inOrder[num] {
			t.Fatalf("document %d: seq %d, in order %d", num, seq, inOrder[num])
		}
	}
}

// A reader that is not a scorch snapshot is not remembered, nor an id
// that is not scorch's.
func TestSeqMemoOfAnotherReader(t *testing.T) {
	type other struct{ index.IndexReader }
	var m seqMemo
	p := m.begin(&other{})
	num := docNum(index.NewIndexInternalID(nil, 3))
	if seq := p.seqElsewhere(num); num != 3 || seq != 0 {
		t.Fatal(num, seq)
	}
	p.note(num, 30) // nowhere
	if seq := p.seqElsewhere(num); seq != 0 || len(m.tables) != 0 {
		t.Fatal(seq, m.tables)
	}
	if num := docNum(index.IndexInternalID("short")); num != ^uint64(0) {
		t.Fatal(num)
	}
}
