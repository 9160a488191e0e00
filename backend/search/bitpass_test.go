package search

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/search/query"

	"auditlens/backend/audit"
)

// A query's hits as bitmaps (eachBitSeq) are the hits Bleve's searcher
// gives, over several segments, with documents written again (deleted in
// their old segments), a term in one document (zap's one-hit postings), a
// term in none, the default field and named ones, stop words (a part
// Bleve's searchers leave out), phrases, wildcards, ranges, and a few
// hundred query strings made at random of such parts, each a should, a must
// or a must-not. Every query string is passed so; shapes the query string
// cannot make and eval does not know keep to the searcher.
func TestBitPassAsTheSearcher(t *testing.T) {
	var evs []*audit.Event
	for i := range 240 {
		words := fmt.Sprintf("common w%d", i%5)
		if i == 17 {
			words += " onlyhere"
		}
		e := ev(fmt.Sprint("e", i), fmt.Sprintf("2026-03-01T10:%02d:%02dZ", i/60, i%60), []string{"user.login", "policy.update", "user.login"}[i%3], []string{"Ann Lee", "Bo Chan"}[i%2], `{"w":"`+words+`"}`)
		if i%7 == 0 {
			e.Outcome = "failure"
		}
		evs = append(evs, e)
	}
	evs[150].Tags = []string{"solo"}
	noMerges = true
	x := openIndex(t, evs[:100]...)
	noMerges = false
	// Two more segments, and events 3..9 written again without "common".
	addSegments(t, x, evs, 100, 170, 240)
	b := x.NewBatch()
	for seq := int64(3); seq <= 9; seq++ {
		changed := *evs[seq-1]
		changed.Raw = audit.RawRecord(`{"w":"changed"}`)
		if err := b.Add(seq, &changed); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(240, true); err != nil {
		t.Fatal(err)
	}
	if segs, deleted := segmentsOf(x); segs < 3 || deleted != 7 {
		t.Fatalf("%d segments, %d documents deleted: the index merged them", segs, deleted)
	}
	// pass is the seqs of bq's hits, each with its time (EachKey's pass) where
	// keys; through the bitmaps (ok: it could be) or the searcher.
	type key struct{ seq, ns int64 }
	pass := func(bq query.Query, searcher, keys bool) (hits []key, ok bool) {
		x.noBitPass = searcher
		defer func() { x.noBitPass = false }()
		visitSeq := func(seq int64) { hits = append(hits, key{seq, 0}) }
		visitKey := func(seq, ns int64) { hits = append(hits, key{seq, ns}) }
		if !keys {
			visitKey = nil
		}
		var n uint64
		var err error
		if searcher {
			n, err = x.eachCompiled(bq, visitSeq, visitKey)
			ok = true
		} else {
			n, ok, err = x.eachBitSeq(bq, visitSeq, visitKey)
		}
		if err != nil || n != uint64(len(hits)) {
			t.Fatal(err, n, len(hits))
		}
		slices.SortFunc(hits, func(a, b key) int { return int(a.seq - b.seq) })
		return hits, ok
	}
	seqsOf := func(hits []key) (seqs []int64) {
		for _, h := range hits {
			seqs = append(seqs, h.seq)
		}
		return seqs
	}
	bits := func(bq query.Query) ([]int64, bool) {
		hits, ok := pass(bq, false, false)
		return seqsOf(hits), ok
	}
	searched := func(bq query.Query) []int64 {
		hits, _ := pass(bq, true, false)
		return seqsOf(hits)
	}
	check := func(q audit.Query) []int64 {
		t.Helper()
		var got []int64
		for _, keys := range []bool{false, true} {
			bq, err := x.compile(q) // (anew for each pass)
			if err != nil {
				t.Fatal(q.Text, err)
			}
			want, _ := pass(bq, true, keys)
			if bq, err = x.compile(q); err != nil {
				t.Fatal(err)
			}
			hits, ok := pass(bq, false, keys)
			if !ok {
				t.Fatalf("%q was not passed through the bitmaps", q.Text)
			}
			if !slices.Equal(hits, want) {
				t.Fatalf("%q %v–%v (times %v): the bitmaps give %v\nthe searcher %v", q.Text, q.From, q.To, keys, hits, want)
			}
			if keys && len(hits) > 0 && hits[0].ns != evs[hits[0].seq-1].Time.UnixNano() {
				t.Fatalf("%q: seq %d at %d", q.Text, hits[0].seq, hits[0].ns)
			}
			got = seqsOf(hits)
		}
		return got
	}
	for _, text := range []string{"", "common", "w3", "onlyhere", "changed", "nosuchword", "actor.name:bo", "tag:solo", "+common", "COMMON",
		"common -w3", "common -w3 -w1", "+common -w3", "common -tag:solo", "onlyhere -common", "common -nosuchword", "changed -actor.name:ann",
		"common w3", "+common +w1", "w*", `"common w2"`, "-common", "common -the", `common -"w1 x"`, "+common w1 -w2",
		"the", "+the", "-the", "the w1", "+the +w1", "+the -w1", "+w1 +the -w2", `"the"`, "-the -w1",
		"w1 w2 -outcome:failure", "+action:user.login +outcome:failure", "action:policy.update outcome:failure -w4",
		"w1 onlyhere", "+onlyhere +nosuchword", "comon~1", "xommon~1", "cmmn~2", "+changed~1 -w1", "actor.name:ano~1", "/w[12]/", `time:>"2026-03-01T10:02:00Z"`, `+w2 +time:<"2026-03-01T10:01:00Z"`,
		`actor.name:b*`, `"common w2" w3`, `+"common w2" -outcome:failure`,
		`action:/user\..*/`, `*on`, `w?`, `onlyh*`, `tag:sol*`, `+chang* -w1`, `action:user.*`, `/c.*d/ -w3`, `comm?`, `/c.m/ w4`} {
		check(audit.Query{Text: text})
	}
	// An expression the automaton is not built of is the searcher's, and
	// its error.
	if bq, err := x.compile(audit.Query{Text: `/w[/`}); err == nil {
		if _, ok := bits(bq); ok {
			t.Fatal("a broken expression passed through the bitmaps")
		}
	}
	if _, err := x.EachSeq(audit.Query{Text: `/w[/`}, func(int64) {}); err == nil {
		t.Fatal("a broken expression searched")
	}
	// The time range a query carries is a conjunct outside the query string.
	from, _ := time.Parse(time.RFC3339, "2026-03-01T10:01:00Z")
	to, _ := time.Parse(time.RFC3339, "2026-03-01T10:03:00Z")
	for _, text := range []string{"common", "the", "w1 -w2", ""} {
		check(audit.Query{Text: text, From: from, To: to})
	}
	// Query strings made at random.
	parts := []string{"common", "w0", "w1", "w2", "w3", "w4", "onlyhere", "changed", "nosuchword", "the", "and",
		"actor.name:bo", "actor.name:ann", "tag:solo", "action:user.login", "action:policy.update", "outcome:failure",
		`"common w2"`, `"the common"`, `"w1 x"`, "w*", "comm*", "actor.name:b*", "w~1", `time:<"2026-03-01T10:02:30Z"`, "zz*", `"zz yy"`, `time:>"2030-01-01T00:00:00Z"`}
	r := rand.New(rand.NewPCG(6, 2026))
	for range 400 {
		var clauses []string
		for range 1 + r.IntN(4) {
			clauses = append(clauses, []string{"", "", "+", "-"}[r.IntN(4)]+parts[r.IntN(len(parts))])
		}
		check(audit.Query{Text: strings.Join(clauses, " ")})
	}
	if got := check(audit.Query{Text: "common"}); len(got) != 233 || slices.Contains(got, 5) {
		t.Fatalf("common: %d hits, %v", len(got), got)
	}
	if got := check(audit.Query{Text: "onlyhere"}); !slices.Equal(got, []int64{18}) {
		t.Fatalf("onlyhere: %v", got)
	}
	if got := check(audit.Query{Text: "tag:solo"}); !slices.Equal(got, []int64{151}) {
		t.Fatalf("tag:solo: %v", got)
	}
	if got := check(audit.Query{Text: "+onlyhere +the"}); !slices.Equal(got, []int64{18}) {
		t.Fatalf("+onlyhere +the: %v", got)
	}
	if got := check(audit.Query{Text: "onlyhere tag:solo -nosuchword"}); !slices.Equal(got, []int64{18, 151}) {
		t.Fatalf("onlyhere tag:solo: %v", got)
	}
	// A part whose searcher is match-none, outside the query string.
	// Wrapped in a conjunction of its own, it is a conjunction over nothing.
	none := query.NewBooleanQuery(nil, []query.Query{query.NewTermQuery("onlyhere")}, nil)
	none.Must = query.NewMatchNoneQuery()
	wrapped := query.NewBooleanQuery([]query.Query{query.NewMatchNoneQuery()}, []query.Query{query.NewTermQuery("onlyhere")}, nil)
	// A disjunction of none of its own: no documents, not none (a must-not
	// beside it takes from nothing).
	nothing := query.NewBooleanQuery(nil, []query.Query{query.NewMatchNoneQuery()}, []query.Query{query.NewTermQuery("w1")})
	for bq, want := range map[query.Query][]int64{none: {18}, wrapped: nil, nothing: nil} {
		got, ok := bits(bq)
		if !ok || !slices.Equal(got, want) || !slices.Equal(got, searched(bq)) {
			t.Fatalf("a must of none beside a should: %v %v, the searcher %v", ok, got, searched(bq))
		}
	}
	// Fuzzy terms the query syntax does not make: of a prefix (the terms
	// must start so), of no fuzziness (the term alone), of automatic
	// fuzziness (the searcher's).
	fuzzy := func(term string, fuzziness, prefix int, auto bool) query.Query {
		q := query.NewFuzzyQuery(term)
		q.SetFuzziness(fuzziness)
		q.SetPrefix(prefix)
		q.SetAutoFuzziness(auto)
		return q
	}
	for _, c := range []struct {
		q    query.Query
		want int
	}{{fuzzy("comon", 1, 2, false), 233}, {fuzzy("xommon", 1, 1, false), 0}, {fuzzy("xommon", 1, 0, false), 233},
		{fuzzy("commn", 0, 0, false), 0}, {fuzzy("w3", 0, 0, false), 46}, {fuzzy("commonn", 0, 0, true), 233}} {
		got, ok := bits(c.q)
		if want := searched(c.q); !ok || !slices.Equal(got, want) || len(got) != c.want {
			t.Fatalf("%+v: %v %d hits, the searcher %d, want %d", c.q, ok, len(got), len(want), c.want)
		}
	}
	// Shapes eval does not know: a filter, a disjunction of at least two.
	w1, w2 := query.NewTermQuery("w1"), query.NewTermQuery("w2")
	filtered := query.NewBooleanQuery([]query.Query{w1}, nil, nil)
	filtered.Filter = query.NewTermQuery("w1")
	two := query.NewDisjunctionQuery([]query.Query{w1, w2, query.NewTermQuery("common")})
	two.SetMin(2)
	for _, bq := range []query.Query{filtered, two} {
		if got, ok := bits(bq); ok || got != nil {
			t.Fatalf("%T passed through the bitmaps: %v", bq, got)
		}
	}
	// A should of the OR operator beside a must: as Bleve's unscored
	// searcher, which makes it a disjunction that asks for no match.
	or := query.NewMatchQuery("w1 onlyhere")
	or.SetOperator(query.MatchQueryOperatorOr)
	beside := query.NewBooleanQuery([]query.Query{query.NewTermQuery("common")}, []query.Query{or}, nil)
	got, ok := bits(beside)
	if want := searched(beside); !ok || !slices.Equal(got, want) {
		t.Fatalf("a match query beside a must: %v %v, the searcher %v", ok, got, want)
	}
}

// addSegments adds evs[bounds[0]:bounds[1]], evs[bounds[1]:bounds[2]], …
// to x, a durable batch each (a segment each, merges kept off), as seqs
// from bounds[0]+1.
func addSegments(t testing.TB, x *Index, evs []*audit.Event, bounds ...int) {
	t.Helper()
	for j := 1; j < len(bounds); j++ {
		b := x.NewBatch()
		for i := bounds[j-1]; i < bounds[j]; i++ {
			if err := b.Add(int64(i+1), evs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Commit(int64(bounds[j]), true); err != nil {
			t.Fatal(err)
		}
	}
}

// segmentsOf is the number of segments of x's snapshot and of documents
// deleted in them.
func segmentsOf(x *Index) (segs int, deleted uint64) {
	ai, _ := x.idx.Advanced()
	r, _ := ai.Reader()
	defer r.Close()
	for _, ss := range r.(*scorch.IndexSnapshot).Segments() {
		segs++
		if d := ss.Deleted(); d != nil {
			deleted += d.GetCardinality()
		}
	}
	return segs, deleted
}

// The query parser's conjunctions and disjunctions are known as its own
// (Bleve keeps that unexported); others are not.
func TestQueryStringMode(t *testing.T) {
	parsed, err := query.NewQueryStringQuery("+a +b c").Parse()
	if err != nil {
		t.Fatal(err)
	}
	bq := parsed.(*query.BooleanQuery)
	for _, q := range []query.Query{bq.Must, bq.Should} {
		if qs, known := queryStringMode(q); !qs || !known {
			t.Fatalf("%T: %v %v", q, qs, known)
		}
	}
	if qs, known := queryStringMode(query.NewConjunctionQuery(nil)); qs || !known {
		t.Fatalf("a conjunction of our own: %v %v", qs, known)
	}
	if _, known := queryStringMode(query.NewTermQuery("a")); known {
		t.Fatal("a term query has no such mode")
	}
}

// A regular expression's leading ^ is taken out before the query string is
// parsed (Bleve's lexer reads it as a boost); the expression matches what
// it matches without one. Elsewhere a ^ stays.
func TestRegexpAnchorDropped(t *testing.T) {
	for in, want := range map[string]string{
		`/^w[12]/`:                 `/w[12]/`,
		`action:/^user\..*/ -/^x/`: `action:/user\..*/ -/x/`,
		`+/^comm.*/`:               `+/comm.*/`,
		`"/^x" y`:                  `"/^x" y`,
		`a\/^b`:                    `a\/^b`,
		`"a \" /^b" c`:             `"a \" /^b" c`,
		`x^2 /w/`:                  `x^2 /w/`,
	} {
		if got := unanchored(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
	x := openIndex(t,
		ev("e1", "2026-03-01T10:00:00Z", "user.login", "Ann Lee", `{"w":"w1 common"}`),
		ev("e2", "2026-03-01T10:00:01Z", "policy.update", "Bo Chan", `{"w":"w2"}`),
		ev("e3", "2026-03-01T10:00:02Z", "user.logout", "Ann Lee", `{"w":"w3 common"}`))
	for anchored, plain := range map[string]string{`/^w[12]/`: `/w[12]/`, `action:/^user\..*/`: `action:/user\..*/`, `+/^comm.*/ -/^w3/`: `+/comm.*/ -/w3/`} {
		got, want := ids(t, x, audit.Query{Text: anchored}), ids(t, x, audit.Query{Text: plain})
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: %v, %s: %v", anchored, got, plain, want)
		}
	}
}

// Merges make no segment of maxSegmentEvents documents or more: a merge
// reads its sources whole through their mappings, so the cap bounds what an
// import holds resident whatever the case's size.
func TestMergesKeepUnderTheSegmentCap(t *testing.T) {
	defer func(n int) { maxSegmentEvents = n }(maxSegmentEvents)
	maxSegmentEvents = 60
	var evs []*audit.Event
	for i := range 600 {
		evs = append(evs, ev(fmt.Sprint("e", i), fmt.Sprintf("2026-03-01T10:%02d:%02dZ", i/60, i%60), "user.login", "Ann Lee", `{"w":"common"}`))
	}
	x := openIndex(t, evs[:25]...)
	bounds := []int{25}
	for n := 50; n <= len(evs); n += 25 {
		bounds = append(bounds, n)
	}
	addSegments(t, x, evs, bounds...)
	// The merger works in the background: wait until it has merged.
	var largest, segs uint64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		largest, segs = 0, 0
		ai, _ := x.idx.Advanced()
		r, _ := ai.Reader()
		for _, ss := range r.(*scorch.IndexSnapshot).Segments() {
			segs++
			largest = max(largest, ss.Segment().Count())
		}
		r.Close()
		if largest > 25 && segs <= 12 {
			break
		}
	}
	if largest <= 25 || largest >= 60 {
		t.Fatalf("the largest of %d segments holds %d documents: none merged, or past the cap of 60", segs, largest)
	}
	if n, err := x.EachSeq(audit.Query{Text: "common"}, func(int64) {}); err != nil || n != 600 {
		t.Fatal(n, err)
	}
}

// The merger takes an import's segments (one a batch of 1,000) a hundred
// at a time, into one of ~50k events at once, where Bleve's plan of ten a
// merge makes ~10k ones first and merges those again (mergeWidth).
func TestMergesTakeTheBatchesAtOnce(t *testing.T) {
	b, err := json.Marshal(mergePlanOptions())
	if err != nil {
		t.Fatal(err)
	}
	ours, theirs := mergeplan.DefaultMergePlanOptions, mergeplan.DefaultMergePlanOptions
	if err := json.Unmarshal(b, &ours); err != nil {
		t.Fatal(err)
	}
	theirs.MaxSegmentSize = int64(maxSegmentEvents)
	var segs []mergeplan.Segment
	for i := range 60 {
		segs = append(segs, planSegment{uint64(i + 1), 1000})
	}
	widest := func(o *mergeplan.MergePlanOptions) (n int) {
		plan, err := mergeplan.Plan(segs, o)
		if err != nil || plan == nil {
			t.Fatal(plan, err)
		}
		for _, task := range plan.Tasks {
			n = max(n, len(task.Segments))
		}
		return n
	}
	if w := widest(&ours); w < 50 {
		t.Fatalf("a merge takes %d of 60 segments of 1,000 events", w)
	}
	if w := widest(&theirs); w > 10 {
		t.Fatalf("Bleve's plan takes %d: its defaults changed", w)
	}
}

// planSegment is a segment of n live documents, for a merge plan.
type planSegment struct {
	id uint64
	n  int64
}

func (s planSegment) Id() uint64          { return s.id }
func (s planSegment) FullSize() int64     { return s.n }
func (s planSegment) LiveSize() int64     { return s.n }
func (s planSegment) HasVector() bool     { return false }
func (s planSegment) FileSize() int64     { return s.n * 500 }
func (s planSegment) LiveFileSize() int64 { return s.n * 500 }
