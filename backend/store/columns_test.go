package store

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
)

// The facets of events given by seq (a word query's hits) are those the
// database counts from the same events' rows: for several sets of events,
// with tags, over chunks of the columns, and for events stored after the
// count began (read when they are handed); with ids in 16 bits, and moved
// to 32 while the columns are read. Their times and stack values likewise.
func TestSeqFacetsCountAsTheRows(t *testing.T) { narrowAndWidened(t, seqFacetsCountAsTheRows) }

// narrowAndWidened runs test over columns in chunks of 8 events, with the
// ids in 16 bits, then with ids moved to 32 bits while they are read.
func narrowAndWidened(t *testing.T, test func(t *testing.T, wide bool)) {
	defer func(n int, m uint32, p int) { columnShift, narrowMax, scanPolicy = n, m, p }(columnShift, narrowMax, scanPolicy)
	columnShift = 3
	t.Run("narrow", func(t *testing.T) { test(t, false) })
	narrowMax = 12 // the test's events have ~30 terms
	t.Run("widened", func(t *testing.T) { test(t, true) })
}

func seqFacetsCountAsTheRows(t *testing.T, wide bool) {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	src := newSource(t, s, "/evidence/c.json")
	base := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	insert := func(from, to int) {
		insertTestEvents(t, s, src.ID, from, to, func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) },
			func(i int) string { return []string{"success", "failure"}[i%2] })
	}
	insert(0, 60)
	for _, id := range []string{"e3", "e4", "e9", "e33"} {
		if _, err := s.SetTag(id, "Starred", false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SetTag("e9", "seen", false); err != nil {
		t.Fatal(err)
	}
	fields := append([]string{"tag"}, TermFields...)
	// rows gives the facets and the seqs of a filter's events, read from
	// their rows (a range holding every event keeps term_pairs out of it).
	rows := func(f *Filter) (string, []int64) {
		x, err := s.Select(Selection{Filter: f, From: base, To: base.Add(100 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		fc, err := x.Facets(fields, 4)
		if err != nil {
			t.Fatal(err)
		}
		seqs, _, err := x.Page(nil, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(fc), seqs
	}
	bySeq := func(seqs []int64, before func()) string {
		fc, err := s.SeqFacets(fields, 4, Hits{Each: func(visit func(int64)) error {
			if before != nil {
				before()
			}
			for _, seq := range seqs {
				visit(seq)
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(fc)
	}
	filters := []*Filter{
		{Op: OpAll},
		{Op: OpTerm, Field: "category", Value: "alert"},
		{Op: OpTerm, Field: "actor.email", Value: "user3@x.io"},
		{Op: OpTerm, Field: "action", Value: "act4"},
		{Op: OpTerm, Field: "action", Value: "none"},
	}
	for _, f := range filters {
		want, seqs := rows(f)
		if got := bySeq(seqs, nil); got != want {
			t.Fatalf("%+v:\nby seq %s\nrows   %s", f, got, want)
		}
	}
	if want, _ := rows(filters[0]); !strings.Contains(want, "{starred starred 4}") || !strings.Contains(want, "{act0 Act0 9}") {
		t.Fatalf("the facets lack the tags or the spellings: %s", want)
	}

	// Events stored while the count runs, after the columns were read
	// (event i has seq i+1).
	loaded := s.columns.n
	_, old := rows(filters[1])
	got := bySeq(append(old, 63, 66, 69), func() { insert(60, 70) })
	want, all := rows(filters[1])
	if got != want || len(all) != len(old)+3 || loaded != 60 {
		t.Fatalf("late events:\nby seq %s\nrows   %s (%d then %d events, %d loaded)", got, want, len(old), len(all), loaded)
	}

	// The times and stack places of some events, two stored during the pass.
	var got2 []string
	n, err := s.SeqTimes("category", []string{"Alert", "access", "none"}, Hits{Each: func(visit func(int64)) error {
		insert(70, 72)
		for _, seq := range []int64{1, 2, 3, 9, 71, 72} {
			visit(seq)
		}
		return nil
	}}, func(ns int64, v int) {
		got2 = append(got2, fmt.Sprintf("%d:%d", (ns-base.UnixNano())/int64(time.Minute), v))
	})
	if want := "[0:1 1:-1 2:0 8:0 70:-1 71:0]"; err != nil || n != 6 || fmt.Sprint(got2) != want {
		t.Fatalf("times and places %v (%d, %v), want %s", got2, n, err, want)
	}
	// A seq the database does not hold yet (an index restored ahead of it)
	// is skipped, and counted once the database has it.
	want, old = rows(filters[1])
	if got := bySeq(append(old, 75), nil); got != want {
		t.Fatalf("a seq the database lacks:\nby seq %s\nrows   %s", got, want)
	}
	insert(72, 80) // event 74, seq 75, is an alert
	want, all = rows(filters[1])
	if got := bySeq(all, nil); got != want || !slices.Contains(all, 75) {
		t.Fatalf("once stored:\nby seq %s\nrows   %s (%v)", got, want, all)
	}
	if (s.columns.wide != nil) != wide || (s.columns.narrow != nil) == wide {
		t.Fatalf("ids in 32 bits: %v, want %v", s.columns.wide != nil, wide)
	}
}

// insertTestEvents stores events from to to-1 of a test trail in one batch:
// event i is "e<i>" at at(i) of outcome(i), of three categories, seven
// actions, two IPs or none, four names and five emails.
func insertTestEvents(t testing.TB, s *Store, src int64, from, to int, at func(int) time.Time, outcome func(int) string) {
	t.Helper()
	b, err := s.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	for i := from; i < to; i++ {
		ev := &audit.Event{ID: fmt.Sprint("e", i), Time: at(i), Format: "generic",
			Source: audit.SourceRef{ID: src}, Category: []string{"access", "change", "alert"}[i%3],
			Action: fmt.Sprint("Act", i%7), Outcome: outcome(i), IP: []string{"", "10.0.0.1", "10.0.0.2"}[i%3],
			Actor: audit.Actor{Name: fmt.Sprint("User ", i%4), Email: fmt.Sprint("user", i%5, "@x.io")}, Raw: audit.RawRecord(fmt.Sprintf(`{"i":%d}`, i))}
		if _, err := b.Insert(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
}
