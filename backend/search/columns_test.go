package search

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"auditlens/backend/audit"
	"auditlens/backend/store"
)

// eventColumns answers Columns from events kept in memory (seq i+1 is
// evs[i]), as the store answers it from its columns: each distinct value
// of a field an id.
type eventColumns struct {
	evs   []*audit.Event
	ids   map[[2]string]uint32 // by field and folded value
	tests int                  // ValueIDs made
	reads int                  // TermIDs asked
}

func (c *eventColumns) id(field, value string) uint32 {
	if value == "" {
		return 0
	}
	if c.ids == nil {
		c.ids = map[[2]string]uint32{}
	}
	k := [2]string{field, store.Fold(value)}
	if c.ids[k] == 0 {
		c.ids[k] = uint32(len(c.ids) + 1)
	}
	return c.ids[k]
}

func (c *eventColumns) TermIDs(field string, seqs []int64, ids []uint32) error {
	if !termFields[field] {
		return fmt.Errorf("no column %q", field)
	}
	c.reads++
	for i, seq := range seqs {
		ids[i] = c.id(field, databaseValue(c.evs[seq-1], field))
	}
	return nil
}

func (c *eventColumns) ValueIDs(field string, match func(string) bool) (func(uint32) bool, func() error, error) {
	if !termFields[field] {
		return nil, nil, fmt.Errorf("no column %q", field)
	}
	c.tests++
	for _, e := range c.evs { // (every value its id)
		c.id(field, databaseValue(e, field))
	}
	in := map[uint32]bool{}
	for k, id := range c.ids {
		in[id] = k[0] == field && match(k[1])
	}
	return func(id uint32) bool { return in[id] }, func() error { return nil }, nil
}

// databaseValue is ev's value of a field the database keeps.
func databaseValue(ev *audit.Event, field string) string {
	return map[string]string{"category": ev.Category, "action": ev.Action, "outcome": ev.Outcome,
		"actor.label": ev.Actor.Label(), "actor.email": ev.Actor.Email, "ip": ev.IP, "format": ev.Format,
		"source": ev.Source.Name}[field]
}

// An index opened with Columns leaves the database's fields out of its
// documents, and answers every query naming them as an index that holds
// them answers it: terms, wildcards, regular expressions, fuzzy terms,
// quoted values, ranges and empty values on those fields, as must, must
// not or should, beside words, stop words and each other, over several
// segments with documents written again; fixed queries, and query strings
// drawn at random from the events' values.
func TestColumnsAnswerAsTheIndex(t *testing.T) {
	evs := corpusAndDemo(t)
	evs = append(evs, repeatingEvents()...)
	cols := &eventColumns{evs: evs}
	x := openRewritten(t, evs, Options{Columns: cols}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	ref := openIndex(t, evs...)

	// The documents hold none of those fields; the reference's do.
	for f := range termFields {
		if n := termsIn(t, x, f); n != 0 {
			t.Fatalf("%s: %d terms in the documents", f, n)
		}
		if f != "source" && termsIn(t, ref, f) == 0 { // (the demo's events name no source)
			t.Fatalf("%s: no terms in the reference", f)
		}
	}

	queries := []string{`outcome:failure`, `-outcome:success`, `+payments +outcome:failure`, `payments -category:alert`,
		`acme -actor.label:ilert`, `payments category:alert`, `+the +category:alert`, `+the +category:alert payments`,
		`category:"alert"`, `category:"ALERT"`, `category:""`, `+category:"" +payments`, `action:user.*`, `action:USER.LOG*`,
		`action:/user\.(login|logout)/`, `action:user.log?n`, `action:user.logn~1`, `action:usr.lgin~2`, `+action:usre.login~1 payments`,
		`ip:185.220.101.*`, `ip:10`, `ip:>5`, `+ip:>5 +payments`, `outcome:>"2020-01-01"`, `+outcome:>"2020-01-01" +payments`,
		`actor.email:mila.krueger@acme.io`, `actor.email:MILA.Krueger@ACME.io payments`, `actor.label:"Ann Lee"`,
		`-actor.label:*`, `actor.label:* -payments`, `format:*`, `source:*`, `-source:*`, `+format:github.* -outcome:success`,
		`category:alert outcome:failure -payments`, `+category:alert +outcome:failure +action:alert.*`, `-category:alert -outcome:success`,
		`category:alert^3 payments^2`, `+action:does.not.exist payments`, `action:does.not.exist -payments`, `+zzz* +category:alert`,
		`category:zz* payments`, `"payments primary" -outcome:success`, `renamed actor.label:"ann lee"`, `+renamed~1 +action:user.*`}
	r := rand.New(rand.NewPCG(14, 2026))
	fields := slices.Sorted(func(yield func(string) bool) {
		for f := range termFields {
			if !yield(f) {
				return
			}
		}
	})
	words := []string{"payments", "the", "acme", "login", "primary", "renamed", "nosuchword", `"payments primary"`, "pay*", "acme~1"}
	for range 400 {
		var clauses []string
		for range 1 + r.IntN(4) {
			part := words[r.IntN(len(words))]
			if r.IntN(3) > 0 {
				f := fields[r.IntN(len(fields))]
				v := store.Fold(databaseValue(evs[r.IntN(len(evs))], f))
				if v == "" {
					v = "x"
				}
				switch r.IntN(6) {
				case 0, 1:
					part = f + ":" + escapeTerm(v)
				case 2:
					part = f + `:"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
				case 3:
					part = f + ":" + escapeTerm(v[:(len(v)+1)/2]) + "*"
				case 4:
					if len(v) > 3 && (v[0] < '0' || v[0] > '9') {
						part = f + ":" + escapeTerm(v[:len(v)-1]) + "~1"
					}
				case 5:
					part = f + ":" + []string{"*", "/.*a.*/", "x", `""`}[r.IntN(4)]
				}
			}
			clauses = append(clauses, []string{"", "", "+", "-"}[r.IntN(4)]+part)
		}
		queries = append(queries, strings.Join(clauses, " "))
	}
	fixed := len(queries)
	some := 0
	for i, text := range queries {
		q := audit.Query{Text: text}
		var want, got []int64
		_, werr := ref.EachSeq(q, func(seq int64) { want = append(want, seq) })
		_, gerr := x.EachSeq(q, func(seq int64) { got = append(got, seq) })
		if (werr != nil) != (gerr != nil) || (werr != nil && i < fixed) {
			t.Fatalf("%s: error %v, the reference's %v", text, gerr, werr)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %d hits, the reference %d\n%v\n%v", text, len(got), len(want), got, want)
		}
		if len(want) > 0 && len(want) < len(evs)/2 {
			some++
		}
	}
	if some < len(queries)/3 {
		t.Fatalf("only %d of %d queries have some of the events", some, len(queries))
	}
	if cols.tests == 0 {
		t.Fatal("no query asked the columns")
	}

	// Each segment's ids of a field are read once, and again only for a
	// segment made since (a document written again: a new segment).
	count := func(text string) uint64 {
		n, err := x.EachSeq(audit.Query{Text: text}, func(int64) {})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := cols.reads
	n := count("acme -outcome:success")
	if cols.reads != before || count("+acme -outcome:success") != n || cols.reads != before {
		t.Fatalf("the ids were read again: %d reads, %d before", cols.reads, before)
	}
	x.fieldIDs.put(1<<60, "outcome", []uint32{1}) // (a segment merged away)
	b := x.NewBatch()
	if err := b.Add(5, evs[4]); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(int64(len(evs)), true); err != nil {
		t.Fatal(err)
	}
	if count("acme -outcome:success") != n || cols.reads != before+1 {
		t.Fatalf("%d reads after a new segment, %d before", cols.reads, before)
	}
	segs, _ := segmentsOf(x)
	if held := len(x.fieldIDs.tables); held != segs {
		t.Fatalf("tables of %d segments, the index has %d", held, segs)
	}

	// A query Bleve's searcher would have to answer (a filter; the
	// bitmaps keep off) fails rather than miss the fields.
	x.noBitPass = true
	if _, err := x.EachSeq(audit.Query{Text: "payments -outcome:success"}, func(int64) {}); err == nil {
		t.Fatal("the searcher answered a field the documents lack")
	}
	if _, err := x.EachSeq(audit.Query{Text: "payments -session:x"}, func(int64) {}); err != nil {
		t.Fatal(err)
	}
	x.noBitPass = false
	// Fuzzy and match queries the query syntax does not make, on a field.
	fuzzy := query.NewFuzzyQuery("user.logn")
	fuzzy.SetField("action")
	fuzzy.SetFuzziness(1)
	fuzzy.SetPrefix(5)
	or := query.NewMatchQuery("alert access")
	or.SetField("category")
	or.SetOperator(query.MatchQueryOperatorOr)
	or.Analyzer = wordsAnalyzer // (two words: the keyword analyzer makes one term of the text)
	// A match query whose analyzer makes no term of its text is Bleve's
	// match-none, which a boolean query leaves out.
	stop := query.NewMatchQuery("the")
	stop.SetField("category")
	stop.Analyzer = wordsAnalyzer
	acme := query.NewTermQuery("acme")
	acme.SetField(textFieldName)
	beside := query.NewBooleanQuery(nil, []query.Query{acme}, nil)
	beside.Must = stop // (not in a conjunction of its own, which would be one over nothing)
	for _, bq := range []query.Query{fuzzy, or, beside} {
		want := hitSeqs(t, ref, bq)
		got, ok, err := func() (seqs []int64, ok bool, err error) {
			_, ok, err = x.eachBitSeq(bq, func(seq int64) { seqs = append(seqs, seq) }, nil)
			slices.Sort(seqs)
			return
		}()
		if err != nil || !ok || len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("%+v: %v %v %d hits, the reference %d", bq, ok, err, len(got), len(want))
		}
	}
}

// termsIn counts the terms of field in x's segments.
// openRewritten is an index opened with o, its segments never merged,
// holding evs in three segments, then the events of the seqs again (deleted
// where they were).
func openRewritten(t *testing.T, evs []*audit.Event, o Options, again ...int64) *Index {
	t.Helper()
	noMerges = true
	x, _, err := Open(filepath.Join(t.TempDir(), "index"), o)
	noMerges = false
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	third := len(evs) / 3
	addSegments(t, x, evs, 0, third, 2*third, len(evs))
	b := x.NewBatch()
	for _, seq := range again {
		if err := b.Add(seq, evs[seq-1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(int64(len(evs)), true); err != nil {
		t.Fatal(err)
	}
	return x
}

func termsIn(t *testing.T, x *Index, field string) int {
	t.Helper()
	r := readerOf(t, x)
	n := 0
	for _, ss := range r.(*scorch.IndexSnapshot).Segments() {
		dict, err := ss.Segment().Dictionary(field)
		if err != nil {
			t.Fatal(err)
		}
		n += len(dictEntries(t, dict))
	}
	return n
}

// readerOf is a reader of x's snapshot, closed when the test ends.
func readerOf(t *testing.T, x *Index) index.IndexReader {
	t.Helper()
	ai, err := x.idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ai.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// FuzzColumnsAnswerAsTheIndex: any query text finds, in an index without
// the database's fields, what it finds in one that holds them
// (TestColumnsAnswerAsTheIndex).
func FuzzColumnsAnswerAsTheIndex(f *testing.F) {
	evs := append(unwrapTrail(), repeatingEvents()...)
	cols := &eventColumns{evs: evs}
	x, _, err := Open(filepath.Join(f.TempDir(), "index"), Options{Columns: cols})
	if err != nil {
		f.Fatal(err)
	}
	defer x.Close()
	addSegments(f, x, evs, 0, 150, len(evs))
	ref := openIndex(f, evs...)
	for _, s := range []string{`payments -outcome:failure`, `+the +outcome:failure queue`, `action:user.* depth`,
		`-category:access`, `action:alert.creatd~1 admin`, `actor.email:ann@*`, `outcome:"FAILURE" -queue`,
		`ip:>5 payments`, `+actor.label:/ann.*/ -depth`, `format:x source:y primary`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 200 {
			return // a long pattern makes a search of seconds
		}
		q := audit.Query{Text: s}
		var want, got []int64
		_, err1 := ref.EachSeq(q, func(seq int64) { want = append(want, seq) })
		_, err2 := x.EachSeq(q, func(seq int64) { got = append(got, seq) })
		slices.Sort(want)
		slices.Sort(got)
		if (err1 != nil) != (err2 != nil) || !slices.Equal(got, want) {
			t.Fatalf("%q: %d hits (%v), %d in the reference (%v)", s, len(got), err2, len(want), err1)
		}
	})
}
