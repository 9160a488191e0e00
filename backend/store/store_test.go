package store

import (
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
)

func open(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newSource is a source of s imported from path.
func newSource(t testing.TB, s *Store, path string) *audit.Source {
	t.Helper()
	src := &audit.Source{Path: path}
	if err := s.CreateSource(src); err != nil {
		t.Fatal(err)
	}
	return src
}

func TestMigrationsOnceAndEventsDeduped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.db")
	s := open(t, path)
	src := &audit.Source{Path: "/evidence/a.json", ImporterVersion: "1"}
	if err := s.CreateSource(src); err != nil || src.ID == 0 {
		t.Fatal(err, src.ID)
	}
	ev := &audit.Event{ID: "abc", Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Format: "generic", Source: audit.SourceRef{ID: src.ID},
		Category: "access", Action: "Login", Outcome: "success", Actor: audit.Actor{Name: "Alice", Email: "alice@x.io"},
		Changes: []audit.Change{{Path: "n", Before: nil, After: "1"}}, Raw: audit.RawRecord(`{"a":1}`)}
	b, err := s.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	seq1, err := b.Insert(ev)
	seq2, err2 := b.Insert(ev)
	if err != nil || err2 != nil || seq1 == 0 || seq2 != 0 {
		t.Fatalf("first insert seq %d (%v), second %d (%v): want a seq, then 0 for the duplicate", seq1, err, seq2, err2)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	src.Events, src.SHA256, src.Errors = 1, "00ff", []audit.RecordError{{Line: 3, Message: "bad"}}
	if err := s.FinishSource(src); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Reopening runs no migration twice and finds everything as stored.
	s = open(t, path)
	defer s.Close()
	got, err := s.Event("abc")
	if err != nil || !got.Time.Equal(ev.Time) || got.Actor.Email != "alice@x.io" || string(got.Raw) != `{"a":1}` ||
		got.Source.Name != "/evidence/a.json" || len(got.Changes) != 1 || got.Changes[0].After != "1" {
		t.Fatalf("event read back: %+v %v", got, err)
	}
	srcs, _ := s.Sources()
	if len(srcs) != 1 || srcs[0].Events != 1 || srcs[0].Errors[0].Line != 3 || srcs[0].Failed != "" {
		t.Fatalf("sources: %+v", srcs)
	}
	names, _ := s.Display("action", []string{"login", "other"})
	if names["login"] != "Login" || names["other"] != "other" {
		t.Fatalf("display values: %v", names)
	}
	if _, err := s.Event("nope"); audit.ErrorCode(err) != audit.ENOTFOUND {
		t.Fatalf("missing event: %v", err)
	}
}

// A source whose import never finished says so.
func TestUnfinishedSource(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	s.CreateSource(&audit.Source{Path: "/x"})
	srcs, _ := s.Sources()
	if srcs[0].Failed != "import did not finish" {
		t.Fatalf("%+v", srcs[0])
	}
}

// A case made before the term columns existed gets them, and its counts,
// when it is opened: the answers are those of a case made with them.
func TestTermsRebuiltForAnOlderCase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.db")
	s := open(t, path)
	src := &audit.Source{Path: "/evidence/b.json", ImporterVersion: "1"}
	if err := s.CreateSource(src); err != nil {
		t.Fatal(err)
	}
	b, err := s.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	for i := 0; i < 12000; i++ { // more than one rebuild batch
		ev := &audit.Event{ID: fmt.Sprint("e", i), Time: base.Add(time.Duration(i) * 7 * time.Minute), Format: "generic",
			Source: audit.SourceRef{ID: src.ID, Name: src.Path}, Category: []string{"access", "change"}[i%2],
			Action: []string{"Login", "LOGOUT", "user.Änderung"}[i%3], Outcome: []string{"success", "failure", "success"}[i%3],
			Actor: audit.Actor{Email: fmt.Sprint("User", i%5, "@X.io")}, Raw: audit.RawRecord(`{}`)}
		if _, err := b.Insert(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		selected := func(sel Selection) *Selected {
			x, err := s.Select(sel)
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		f1, err1 := selected(Selection{}).Facets(TermFields, 5)
		f2, err2 := selected(Selection{Filter: &Filter{Op: OpTerm, Field: "action", Value: "login"}}).Facets(TermFields, 5)
		edges := []time.Time{base.Add(-time.Hour), base.Add(24 * time.Hour), base.Add(600 * time.Hour), base.Add(2000 * time.Hour)}
		h, err3 := selected(Selection{From: base.Add(90 * time.Minute)}).Histogram(edges, "category")
		n, err4 := selected(Selection{}).Count()
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			t.Fatal(err1, err2, err3, err4)
		}
		return fmt.Sprint(f1, f2, h, n)
	}
	want := snapshot()
	if !strings.Contains(want, "{login Login 4000}") || !strings.Contains(want, "user.änderung") {
		t.Fatalf("counts of the new case: %s", want)
	}
	for _, q := range []string{`DELETE FROM terms`, `DELETE FROM timeline`, `DELETE FROM meta WHERE key = 'terms'`,
		`UPDATE events SET k_category=0, k_action=0, k_outcome=0, k_actor_label=0, k_actor_email=0, k_ip=0, k_format=0, k_source=0`} {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = open(t, path)
	defer s.Close()
	if got := snapshot(); got != want {
		t.Fatalf("after the rebuild:\n%s\nwant\n%s", got, want)
	}
}

// A store opened for streaming gives its readers the smaller cache asked
// for; the writer and a default store keep 32 MB.
func TestReaderCacheOption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.db")
	for _, c := range []struct{ opt, want int }{{0, -32000}, {8000, -8000}} {
		s, err := OpenWith(path, Options{ReaderCache: c.opt})
		if err != nil {
			t.Fatal(err)
		}
		var r, w int
		s.r.QueryRow(`PRAGMA cache_size`).Scan(&r)
		s.w.QueryRow(`PRAGMA cache_size`).Scan(&w)
		s.Close()
		if r != c.want || w != -32000 {
			t.Fatalf("ReaderCache %d: readers %d, writer %d; want %d and -32000", c.opt, r, w, c.want)
		}
	}
}

// The tag facet of a selection counts the tags of its events alone, and
// walks the tags (few) rather than the selection (up to every event): the
// plan's first step scans event_tags.
func TestTagFacetWalksTheTags(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	src := newSource(t, s, "/evidence/a.json")
	b, err := s.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := 0; i < 300; i++ {
		category := []string{"alert", "access", "user"}[i%3]
		ev := &audit.Event{ID: fmt.Sprintf("e%d", i), Time: base.Add(time.Duration(i) * time.Minute), Format: "generic",
			Source: audit.SourceRef{ID: src.ID}, Category: category, Action: "a", Outcome: "success", Raw: audit.RawRecord(fmt.Sprintf(`{"i":%d}`, i))}
		if _, err := b.Insert(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"e0", "e3", "e4", "e9"} { // three alerts, one access
		if _, err := s.SetTag(id, "Suspicious", false); err != nil {
			t.Fatal(err)
		}
	}
	x, err := s.Select(Selection{Filter: &Filter{Op: OpTerm, Field: "category", Value: "alert"}, From: base.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	facets, err := x.Facets([]string{"tag"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(facets[0].Top); got != "[{suspicious suspicious 2}]" { // e0 is before From
		t.Fatalf("tag facet %s", got)
	}
	q, args := x.tagCountQuery(false)
	rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+q, args...)
	var plan []string
	err = eachRow(rows, err, func() error {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return err
		}
		plan = append(plan, detail)
		return nil
	})
	if err != nil || len(plan) == 0 || !strings.HasPrefix(plan[0], "SCAN t") {
		t.Fatalf("plan %q (%v): want the tags scanned first", plan, err)
	}
}

// pairFilters are one-term filters whose facets over the whole case are
// read from term_pairs once it is complete.
var pairFilters = []*Filter{
	{Op: OpTerm, Field: "category", Value: "alert"},
	{Op: OpTerm, Field: "ip", Value: "10.0.0.2"},
	{Op: OpTerm, Field: "actor.email", Value: "user3@x.io"},
	{Op: OpTerm, Field: "action", Pattern: regexp.MustCompile(`(?i)act[135]`)},
	{Op: OpTerm, Field: "action", Value: "none"},
}

// pairFilterFacets are the facets of pairFilters over the whole case
// (term_pairs when complete), or with a range holding every event from base
// on (the events' rows read one by one).
func pairFilterFacets(t *testing.T, s *Store, whole bool, base time.Time) string {
	t.Helper()
	var out strings.Builder
	for _, f := range pairFilters {
		sel := Selection{Filter: f}
		if !whole {
			sel.From, sel.To = base.Add(-time.Hour*1000), base.Add(time.Hour*1000)
		}
		x, err := s.Select(sel)
		if err != nil {
			t.Fatal(err)
		}
		fc, err := x.Facets(TermFields, 10)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&out, fc)
	}
	return out.String()
}

// termPairs is term_pairs as it stands, and whether it is marked complete.
func termPairs(t *testing.T, s *Store) (map[[2]int64]int64, bool) {
	t.Helper()
	out := map[[2]int64]int64{}
	var a, b, n int64
	rows, err := s.r.Query(`SELECT a, b, n FROM term_pairs`)
	if err := eachRow(rows, err, func() error {
		if err := rows.Scan(&a, &b, &n); err != nil {
			return err
		}
		out[[2]int64{a, b}] = n
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	done, err := pairsComplete(s.r)
	if err != nil {
		t.Fatal(err)
	}
	return out, done
}

// The facets of one term over the whole case are read from term_pairs,
// kept as events arrive, or counted when a case made before them is opened
// by the process that may import (EnsureIndexes; in chunks, here of 7
// events): either way they are what reading the term's events gives, and
// so are the facets while it is not complete.
func TestTermPairsOfAnOlderCase(t *testing.T) {
	defer func(n int) { pairsChunk = n }(pairsChunk)
	pairsChunk = 7
	path := filepath.Join(t.TempDir(), "case.db")
	s := open(t, path)
	src := newSource(t, s, "/evidence/c.json")
	base := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	for batch := 0; batch < 3; batch++ {
		insertTestEvents(t, s, src.ID, batch*40, batch*40+40, func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) },
			func(i int) string { return []string{"success", "failure"}[i%2] })
	}
	want := pairFilterFacets(t, s, false, base)
	if got := pairFilterFacets(t, s, true, base); got != want || !strings.Contains(want, "{alert alert 40}") {
		t.Fatalf("kept as events arrived:\n%s\nwant\n%s", got, want)
	}
	kept, done := termPairs(t, s)
	if !done || len(kept) == 0 {
		t.Fatalf("term_pairs as events arrived: %d pairs, complete %v", len(kept), done)
	}
	for _, q := range []string{`DELETE FROM term_pairs`, `DELETE FROM meta WHERE key = 'term_pairs'`} {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = open(t, path)
	defer s.Close()
	if got := pairFilterFacets(t, s, true, base); got != want {
		t.Fatalf("while term_pairs is not complete:\n%s\nwant\n%s", got, want)
	}
	if err := s.EnsureIndexes(); err != nil {
		t.Fatal(err)
	}
	if counted, done := termPairs(t, s); !done || !maps.Equal(counted, kept) {
		t.Fatalf("counted when opened: %d pairs (complete %v), kept as events arrived %d", len(counted), done, len(kept))
	}
	if got := pairFilterFacets(t, s, true, base); got != want {
		t.Fatalf("counted when opened:\n%s\nwant\n%s", got, want)
	}
}

// A case's first import keeps its term pairs in memory, written when they
// are many (here 20) and at its end: term_pairs is then what counting the
// events gives, and incomplete until then, so that another process's facets
// are counted from the events. One killed before its end leaves it
// incomplete, to be counted when the case is next opened to import.
func TestTermPairsOfABulkLoad(t *testing.T) {
	defer func(n int) { laterPairsCap = n }(laterPairsCap)
	laterPairsCap = 20
	base := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	outcome := func(i int) string { return []string{"success", "failure"}[i%2] }
	// the pairs of the same events stored batch by batch
	ref := open(t, filepath.Join(t.TempDir(), "ref.db"))
	defer ref.Close()
	refSrc := newSource(t, ref, "/evidence/c.json")
	for from := 0; from < 300; from += 50 {
		insertTestEvents(t, ref, refSrc.ID, from, from+50, at, outcome)
	}
	want, _ := termPairs(t, ref)
	wantFacets := pairFilterFacets(t, ref, true, base)

	for _, killed := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "case.db")
		s := open(t, path)
		if bulk, err := s.BeginBulkLoad(); err != nil || !bulk {
			t.Fatal(bulk, err)
		}
		src := newSource(t, s, "/evidence/c.json")
		// a batch rolled back counts nothing
		b, err := s.BeginBatch()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Insert(&audit.Event{ID: "gone", Time: base, Format: "generic", Source: audit.SourceRef{ID: src.ID},
			Category: "alert", Action: "Act1", Outcome: "success", IP: "10.0.0.2", Raw: audit.RawRecord(`{}`)}); err != nil {
			t.Fatal(err)
		}
		b.Rollback()
		for from := 0; from < 300; from += 50 {
			insertTestEvents(t, s, src.ID, from, from+50, at, outcome)
		}
		written, done := termPairs(t, s)
		if done || len(written) == 0 || maps.Equal(written, want) {
			t.Fatalf("during the load: %d pairs written of %d, complete %v", len(written), len(want), done)
		}
		reader := open(t, path)
		if got := pairFilterFacets(t, reader, true, base); got != wantFacets {
			t.Fatalf("another process during the load:\n%s\nwant\n%s", got, wantFacets)
		}
		reader.Close()
		if killed {
			s.Close()
			s = open(t, path)
		}
		if err := s.EnsureIndexes(); err != nil {
			t.Fatal(err)
		}
		if got, done := termPairs(t, s); !done || !maps.Equal(got, want) {
			t.Fatalf("killed %v: %d pairs (complete %v), batch by batch %d", killed, len(got), done, len(want))
		}
		if got := pairFilterFacets(t, s, true, base); got != wantFacets {
			t.Fatalf("killed %v:\n%s\nwant\n%s", killed, got, wantFacets)
		}
		s.Close()
	}
}
