package store

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A selection paged, counted, faceted and put on the timeline from the
// columns gets what its rows give: for filters of every kind (a term, a pattern,
// and, or, not, a value no event has), over ranges open, partial, cut
// inside an hour and holding nothing, with the ids in 16 bits and in 32,
// and after more events are stored.
func TestColumnsCountAsTheRows(t *testing.T) { narrowAndWidened(t, columnsCountAsTheRows) }

// colTrail is a store of n test events at uneven times (at), one tagged.
type colTrail struct {
	s    *Store
	src  int64
	base time.Time
}

var colBase = time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)

func colAt(i int) time.Time {
	return colBase.Add(time.Duration(i*i) * 37 * time.Second / 10).Add(time.Duration(i) * time.Nanosecond)
}

func newColTrail(t testing.TB, dir string, n int) *colTrail {
	s := open(t, filepath.Join(dir, "case.db"))
	tr := &colTrail{s: s, src: newSource(t, s, "/evidence/c.json").ID, base: colBase}
	tr.insert(t, 0, n)
	if _, err := s.SetTag("e3", "Starred", false); err != nil {
		t.Fatal(err)
	}
	return tr
}

func (tr *colTrail) insert(t testing.TB, from, to int) {
	insertTestEvents(t, tr.s, tr.src, from, to, colAt, func(i int) string { return []string{"success", "failure", "unknown"}[i%5%3] })
}

// answer is f's count, facets and timelines within r (two sets of buckets:
// edges of 47 minutes over the range, or over the first 90 events, and
// three uneven ones; three stacks), read as policy says.
func (tr *colTrail) answer(t testing.TB, policy int, f *Filter, r [2]time.Time) string {
	scanPolicy = policy
	x, err := tr.s.Select(Selection{Filter: f, From: r[0], To: r[1]})
	if err != nil {
		t.Fatal(err)
	}
	n, err := x.Count()
	if err != nil {
		t.Fatal(err)
	}
	fc, err := x.Facets(append([]string{"tag"}, TermFields...), 3)
	if err != nil {
		t.Fatal(err)
	}
	from, to := r[0], r[1]
	if from.IsZero() {
		from = tr.base
	}
	if to.IsZero() || to.Before(from) {
		to = colAt(89).Add(time.Nanosecond)
	}
	var edges []time.Time
	for e := from; e.Before(to) && len(edges) < 500; e = e.Add(47 * time.Minute) {
		edges = append(edges, e)
	}
	edges = append(edges, to)
	out := fmt.Sprint(n, fc)
	// Its pages, seven events each, with their totals.
	var after *PageKey
	for {
		seqs, total, last, err := x.PageCount(after, 7)
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprint(" page ", total, seqs)
		if last == nil {
			break
		}
		after = last
	}
	for _, stack := range []string{"", "category", "outcome"} {
		for _, e := range [][]time.Time{edges, {tr.base.Add(-time.Hour), tr.base.Add(2 * time.Hour), tr.base.Add(30 * time.Hour)}} {
			h, err := x.Histogram(e, stack)
			if err != nil {
				t.Fatal(err)
			}
			out += fmt.Sprint(" ", stack, h)
		}
	}
	return out
}

func columnsCountAsTheRows(t *testing.T, wide bool) {
	tr := newColTrail(t, t.TempDir(), 90)
	defer tr.s.Close()
	base, at := tr.base, colAt
	term := func(f, v string) *Filter { return &Filter{Op: OpTerm, Field: f, Value: v} }
	filters := []*Filter{
		{Op: OpAll},
		term("category", "alert"),
		term("action", "none"),
		{Op: OpTerm, Field: "action", Pattern: regexp.MustCompile(`^act[1-3]$`)},
		{Op: OpAnd, Kids: []*Filter{term("category", "alert"), term("outcome", "failure")}},
		{Op: OpOr, Kids: []*Filter{term("actor.email", "user1@x.io"), term("ip", "10.0.0.2")}},
		{Op: OpAnd, Kids: []*Filter{{Op: OpNot, Kids: []*Filter{term("actor.label", "user2@x.io")}}}},
		{Op: OpAnd, Kids: []*Filter{{Op: OpOr, Kids: []*Filter{term("action", "act2"), term("outcome", "unknown")}},
			{Op: OpNot, Kids: []*Filter{term("category", "change")}}}},
	}
	end := at(89).Add(time.Nanosecond)
	ranges := [][2]time.Time{
		{},
		{base.Add(17 * time.Minute), base.Add(5*time.Hour + 3*time.Second)},
		{at(40), {}},
		{{}, at(60)},
		{end, end.Add(time.Hour)},
	}
	check := func() int {
		matched := 0
		for _, f := range filters {
			for _, r := range ranges {
				want, got := tr.answer(t, scanRows, f, r), tr.answer(t, scanColumns, f, r)
				if got != want {
					t.Fatalf("%+v in %v:\ncolumns %s\nrows    %s", f, r, got, want)
				}
				if want[0] != '0' {
					matched++
				}
			}
		}
		return matched
	}
	if n := check(); n < 25 {
		t.Fatalf("only %d filter and range pairs match events", n)
	}
	tr.insert(t, 90, 100) // read by the next scan
	check()
	if tr.s.columns.n != 100 || (tr.s.columns.wide != nil) != wide {
		t.Fatalf("%d events loaded, ids in 32 bits: %v, want 100, %v", tr.s.columns.n, tr.s.columns.wide != nil, wide)
	}
}

// Any filter and range a fuzzer makes (terms of the trail's values or of
// none, patterns, and, or, not, nested) is counted, faceted and bucketed
// alike from the columns and from the rows.
func FuzzColumnsAsRows(f *testing.F) {
	defer func(p int) { scanPolicy = p }(scanPolicy)
	tr := newColTrail(f, f.TempDir(), 90)
	values := map[string][]string{}
	rows, err := tr.s.r.Query(`SELECT field, folded FROM terms`)
	var field, folded string
	err = eachRow(rows, err, func() error {
		if err := rows.Scan(&field, &folded); err != nil {
			return err
		}
		values[field] = append(values[field], folded)
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{{1, 0, 0}, {2, 2, 1, 0, 1, 4, 1, 2, 3}, {4, 1, 5, 2, 10, 200}, {3, 3, 1, 6, 0, 1, 2, 7, 4, 0, 30, 90}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := &fuzzBytes{b: b}
		filter := r.filter(values, 0)
		var rng [2]time.Time
		for i := range rng {
			if v := r.next(); v < 200 {
				rng[i] = colAt(int(v) / 2).Add(time.Duration(r.next()) * time.Minute)
			}
		}
		if want, got := tr.answer(t, scanRows, filter, rng), tr.answer(t, scanColumns, filter, rng); got != want {
			t.Fatalf("%s in %v:\ncolumns %s\nrows    %s", describe(filter), rng, got, want)
		}
	})
}

// fuzzBytes hands a fuzzer's bytes out one by one, then zeros.
type fuzzBytes struct {
	b []byte
	i int
}

func (r *fuzzBytes) next() byte {
	if r.i >= len(r.b) {
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

// filter decodes a filter over fields' values: a term of a value, of none,
// or of a pattern on a value's first letters; and, or, not; at most four
// deep.
func (r *fuzzBytes) filter(values map[string][]string, depth int) *Filter {
	op := Op(r.next() % 5)
	if depth >= 4 && op != OpAll {
		op = OpTerm
	}
	f := &Filter{Op: op}
	switch op {
	case OpTerm:
		f.Field = TermFields[int(r.next())%len(TermFields)]
		vs := values[f.Field]
		switch v := int(r.next()); {
		case v < len(vs):
			f.Value = vs[v]
		case v%3 == 0 && len(vs) > 0:
			p := vs[v%len(vs)]
			f.Pattern = regexp.MustCompile("^" + regexp.QuoteMeta(p[:min(len(p), 1+v%4)]) + ".*$")
		default:
			f.Value = "none"
		}
	case OpAnd, OpOr:
		for range 1 + int(r.next())%3 {
			f.Kids = append(f.Kids, r.filter(values, depth+1))
		}
	case OpNot:
		f.Kids = []*Filter{r.filter(values, depth+1)}
	}
	return f
}

// describe writes a filter as a reader would.
func describe(f *Filter) string {
	switch f.Op {
	case OpAll:
		return "all"
	case OpTerm:
		if f.Pattern != nil {
			return f.Field + ":/" + f.Pattern.String() + "/"
		}
		return f.Field + ":" + f.Value
	}
	var kids []string
	for _, k := range f.Kids {
		kids = append(kids, describe(k))
	}
	return map[Op]string{OpAnd: "and", OpOr: "or", OpNot: "not"}[f.Op] + "(" + strings.Join(kids, ", ") + ")"
}

// A selection goes to the columns by the rows SQLite would read for it,
// not by the size of its answer: a negation reads every row however few it
// keeps, a conjunction its cheapest part, a disjunction all its parts.
func TestReadsBoundTheRowsNotTheAnswer(t *testing.T) {
	term := func(n int64) *node { return &node{op: OpTerm, n: n, ids: []int64{1}} }
	not := func(k *node) *node { return &node{op: OpNot, kids: []*node{k}} }
	for _, c := range []struct {
		n             *node
		reads, answer int64
	}{
		{term(30), 30, 30},
		{not(term(990)), 1000, 10},
		{&node{op: OpAnd, kids: []*node{term(5), not(term(990))}}, 5, 5},
		{&node{op: OpAnd, kids: []*node{term(600), not(term(990))}}, 600, 10},
		{&node{op: OpOr, kids: []*node{term(30), term(40)}}, 70, 70},
		{&node{op: OpOr, kids: []*node{term(30), not(term(990))}}, 1000, 40},
		{&node{op: OpAll}, 1000, 1000},
	} {
		if r, a := c.n.reads(1000), c.n.estimate(1000); r != c.reads || a != c.answer {
			t.Errorf("%+v: reads %d, answer %d; want %d, %d", c.n, r, a, c.reads, c.answer)
		}
	}
	// Every event of the trail is of one format: excluding it keeps none,
	// and reads every row. With the columns in memory, it is theirs.
	tr := newColTrail(t, t.TempDir(), 200)
	defer tr.s.Close()
	if err := tr.s.WarmColumns(context.Background()); err != nil {
		t.Fatal(err)
	}
	x, err := tr.s.Select(Selection{Filter: &Filter{Op: OpNot, Kids: []*Filter{{Op: OpTerm, Field: "format", Value: "generic"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if cols, err := x.Unordered(); err != nil || !cols {
		t.Fatalf("a negation of every event is read from the rows (%v)", err)
	}
}
