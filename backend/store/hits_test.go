package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// The k newest of any keys are those a sort of all of them puts first,
// whatever order the keys come in.
func TestNewestKeysAsASort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 300 {
		n := rng.IntN(6000)
		keys := make([]PageKey, n)
		for i := range keys {
			keys[i] = PageKey{TimeNS: rng.Int64N(int64(n/4 + 1)), Seq: int64(i + 1)} // many equal times
		}
		switch round % 3 {
		case 0:
			slices.SortFunc(keys, func(a, b PageKey) int { return newerFirst(b, a) }) // oldest first, as stored
		case 1:
			slices.SortFunc(keys, newerFirst)
		default:
			rng.Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		}
		k := []int{0, 1, 2, 7, 100, 1000, 7000}[rng.IntN(7)]
		top := newNewestKeys(k)
		for _, key := range keys {
			top.add(key)
		}
		got := top.result()
		want := slices.Clone(keys)
		slices.SortFunc(want, newerFirst)
		want = want[:min(k, n)]
		if !slices.Equal(got, want) {
			t.Fatalf("round %d, %d keys, k %d:\n got %v\nwant %v", round, n, k, got, want)
		}
	}
}

// A word query's hits, kept in a range and ordered by their times, page as
// the database pages the same events from their rows: every limit, every
// cursor, equal times, ranges cutting inside a minute, over chunks of the
// columns; their total is the rows' count and their order SeqBatches'. Seqs
// the index hands that the database lacks, or twice, are counted once or
// not at all. The times are the columns' (once read), else the index's
// (Hits.Keys).
func TestSeqPageAsTheRows(t *testing.T) {
	defer func(m int) { orderChunk = m }(orderChunk)
	for _, way := range []string{"columns", "index"} {
		t.Run(way, func(t *testing.T) {
			// Many hits are sorted in slices of time, with the columns.
			// (Three events share each time: slices of them are cut again.)
			orderChunk = map[string]int{"columns": 2, "index": 1 << 30}[way]
			narrowAndWidened(t, func(t *testing.T, _ bool) {
				s := seqPageAsTheRows(t, way == "columns")
				if loaded := s.columns.n > 0; loaded != (way == "columns") {
					t.Fatalf("columns read: %v", loaded)
				}
			})
		})
	}
}

func seqPageAsTheRows(t *testing.T, columns bool) *Store {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	t.Cleanup(func() { s.Close() })
	src := newSource(t, s, "/evidence/p.json")
	base := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	// Three events a minute, and every seventh an hour back: times out of
	// the order of seqs, and ties.
	at := func(i int) time.Time {
		t := base.Add(time.Duration(i/3) * time.Minute)
		if i%7 == 0 {
			t = t.Add(-time.Hour)
		}
		return t
	}
	insertTestEvents(t, s, src.ID, 0, 300, at, func(i int) string { return []string{"success", "failure"}[i%2] })
	if columns {
		if err := s.WarmColumns(context.Background()); err != nil {
			t.Fatal(err)
		}
		// Events stored after the columns were read: loaded when hit.
		insertTestEvents(t, s, src.ID, 300, 310, at, func(int) string { return "success" })
	}
	ranges := [][2]time.Time{
		{},
		{base.Add(20 * time.Minute), base.Add(60 * time.Minute)},
		{base.Add(20*time.Minute + 30*time.Second), base.Add(61*time.Minute + time.Nanosecond)},
		{time.Time{}, base.Add(time.Minute)},
		{base.Add(90 * time.Minute), time.Time{}},
		{base.Add(5 * time.Hour), base.Add(6 * time.Hour)},
		// Past what nanoseconds hold: every event, and none.
		{time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3100, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	filters := []*Filter{
		{Op: OpAll},
		{Op: OpTerm, Field: "category", Value: "alert"},
		{Op: OpTerm, Field: "actor.email", Value: "user3@x.io"},
	}
	pages := func(next func(after *PageKey) ([]int64, *PageKey)) []int64 {
		var all []int64
		var after *PageKey
		for range 1000 {
			seqs, last := next(after)
			all = append(all, seqs...)
			if last == nil {
				return all
			}
			after = last
		}
		t.Fatal("pages without end")
		return nil
	}
	for _, f := range filters {
		whole, err := s.Select(Selection{Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		hits, _, err := whole.Page(nil, 1000)
		if err != nil {
			t.Fatal(err)
		}
		rand.New(rand.NewPCG(1, 1)).Shuffle(len(hits), func(i, j int) { hits[i], hits[j] = hits[j], hits[i] })
		handed := append(slices.Clone(hits), 311, 0, -3, hits[0]) // seqs the database lacks, and one twice
		each := func(visit func(int64)) error {
			for _, seq := range handed {
				visit(seq)
			}
			return nil
		}
		times := rowTimes(t, s, handed)
		keys := func(visit func(seq, ns int64)) error {
			for _, seq := range handed {
				ns, ok := times[seq]
				if !ok { // the index may hold what the database lacks
					ns = base.UnixNano()
				}
				visit(seq, ns)
			}
			return nil
		}
		for _, r := range ranges {
			x, err := s.Select(Selection{Filter: f, From: r[0], To: r[1]})
			if err != nil {
				t.Fatal(err)
			}
			count, err := x.Count()
			if err != nil {
				t.Fatal(err)
			}
			h := Hits{Each: each, From: r[0], To: r[1]}
			if !columns {
				h.Keys = keys
			}
			if r[0].Year() == 1500 && count != uint64(len(hits)) || r[0].Year() == 3000 && count != 0 {
				t.Fatalf("%+v %v: %d of %d events", f, r, count, len(hits))
			}
			var order []int64
			batches := 0
			err = s.SeqBatches(h, func(seqs []int64) error {
				if len(seqs) == 0 || len(seqs) > 3*orderChunk+3 { // a slice holds at most a minute's three events more
					t.Fatalf("%+v %v: a batch of %d", f, r, len(seqs))
				}
				order, batches = append(order, seqs...), batches+1
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if columns && len(order) > 3*orderChunk && batches < 2 {
				t.Fatalf("%+v %v: %d hits in %d batch", f, r, len(order), batches)
			}
			for _, limit := range []int{1, 4, 1000} {
				want := pages(func(after *PageKey) ([]int64, *PageKey) {
					seqs, last, err := x.Page(after, limit)
					if err != nil {
						t.Fatal(err)
					}
					return seqs, last
				})
				got := pages(func(after *PageKey) ([]int64, *PageKey) {
					seqs, total, last, err := s.SeqPage(h, after, limit)
					if err != nil {
						t.Fatal(err)
					}
					if total != count {
						t.Fatalf("%+v %v: total %d, the rows count %d", f, r, total, count)
					}
					return seqs, last
				})
				what := fmt.Sprintf("%+v %v limit %d", f, r, limit)
				if !slices.Equal(got, want) {
					t.Fatalf("%s:\n got %v\nwant %v", what, got, want)
				}
				if !slices.Equal(order, want) {
					t.Fatalf("%s: SeqBatches\n got %v\nwant %v", what, order, want)
				}
			}
		}
	}
	return s
}

// rowTimes are the times of the events of these seqs that the database
// holds, read from their rows.
func rowTimes(t *testing.T, s *Store, seqs []int64) map[int64]int64 {
	out := map[int64]int64{}
	for _, seq := range seqs {
		var ns int64
		switch err := s.r.QueryRow(`SELECT time_ns FROM events WHERE seq = ?`, seq).Scan(&ns); {
		case err == nil:
			out[seq] = ns
		case !errors.Is(err, sql.ErrNoRows):
			t.Fatal(err)
		}
	}
	return out
}

// A burst of hits within a slice of the span is cut again: every batch
// holds about orderChunk hits, whatever the times, and together they are
// every hit newest first.
func TestSeqBatchesCutBursts(t *testing.T) {
	defer func(n int) { orderChunk = n }(orderChunk)
	orderChunk = 10
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	src := newSource(t, s, "/evidence/b.json")
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(i int) time.Time {
		if i < 1000 { // a thousand events in a microsecond
			return base.Add(time.Duration(i) * time.Nanosecond)
		}
		return base.Add(time.Duration(i) * time.Hour)
	}
	insertTestEvents(t, s, src.ID, 0, 1100, at, func(int) string { return "success" })
	if err := s.WarmColumns(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := Hits{Each: func(visit func(int64)) error {
		for seq := int64(1); seq <= 1100; seq++ {
			visit(seq)
		}
		return nil
	}}
	var got []int64
	largest := 0
	if err := s.SeqBatches(h, func(seqs []int64) error {
		got, largest = append(got, seqs...), max(largest, len(seqs))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := make([]int64, 1100)
	for i := range want {
		want[i] = int64(1100 - i) // times rise with seqs
	}
	if !slices.Equal(got, want) {
		t.Fatalf("order:\n got %v\nwant %v", got, want)
	}
	if largest > orderChunk {
		t.Fatalf("a batch of %d hits, orderChunk %d", largest, orderChunk)
	}
}
