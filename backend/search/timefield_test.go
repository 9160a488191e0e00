package search

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"auditlens/backend/audit"
)

// Every range of times finds exactly the events within it, whatever its
// bounds: on an event's time or next to it, inclusive or not, open on one
// side, before 1970, at the ends of what nanoseconds hold; through Compile,
// the query string and the pages of a search; through Bleve's searcher and
// the bitmaps, with the segments' times read for each range (fresh) or
// held by the key memo; and after updates leave documents deleted in older
// segments.
func TestTimeRangesExact(t *testing.T) {
	for _, fresh := range []bool{true, false} {
		t.Run(fmt.Sprint("fresh ", fresh), func(t *testing.T) { timeRangesExact(t, fresh) })
	}
}

// forgetKeys empties x's key memo (its seqs and times).
func forgetKeys(x *Index) {
	x.memo.mu.Lock()
	defer x.memo.mu.Unlock()
	x.memo.tables = nil
}

func timeRangesExact(t *testing.T, fresh bool) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	var times []int64
	for range 300 { // bursts, equal times, and times spread over years
		times = append(times, base+rng.Int64N(int64(time.Hour)))
	}
	for range 100 {
		times = append(times, base+rng.Int64N(int64(5*time.Second)))
	}
	for range 100 {
		times = append(times, base+rng.Int64N(int64(40*24*time.Hour))-int64(20*24*time.Hour))
	}
	times = append(times, base, base, base+1, base-1, 0, -1, 1, 2, -int64(30*365*24*time.Hour),
		math.MinInt64, math.MinInt64+1, math.MaxInt64-1, math.MaxInt64)
	evs := make([]*audit.Event, len(times))
	for i, ns := range times {
		e := ev(fmt.Sprintf("e%03d", i), "2026-01-02T10:00:00Z", "user.login", "Ann Lee", `{}`)
		e.Time = time.Unix(0, ns).UTC()
		evs[i] = e
	}
	// Four segments: bursts within an hour, within five seconds (a segment
	// a range may hold whole), times over 40 days, and the extremes.
	noMerges = true
	x := openIndex(t, evs[:300]...)
	noMerges = false
	addSegments(t, x, evs, 300, 400, 500, len(evs))
	stored[x] = evs
	if segs, _ := segmentsOf(x); segs != 4 {
		t.Fatalf("%d segments", segs)
	}
	within := func(lo, hi int64) []string {
		var ids []string
		for i, ns := range times {
			if lo <= ns && ns <= hi {
				ids = append(ids, evs[i].ID)
			}
		}
		slices.Sort(ids)
		return ids
	}
	hits := func(q query.Query) []string {
		t.Helper()
		req := bleve.NewSearchRequestOptions(q, len(times)+1, 0, false)
		req.Score = bleve.ScoreNone
		res, err := x.idx.Search(req)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Hits {
			seq, err := SeqOf(h.ID)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, evs[seq-1].ID)
		}
		slices.Sort(ids)
		return ids
	}
	// bitHits are q's hits through the bitmaps (eachBitSeq).
	bitHits := func(q query.Query) []string {
		t.Helper()
		if fresh {
			forgetKeys(x)
		}
		var ids []string
		_, ok, err := x.eachBitSeq(q, func(seq int64) { ids = append(ids, evs[seq-1].ID) }, nil)
		if err != nil || !ok {
			t.Fatal(err, ok)
		}
		slices.Sort(ids)
		return ids
	}
	check := func(what string, q query.Query, lo, hi int64) {
		t.Helper()
		want := within(lo, hi)
		if got := hits(q); !slices.Equal(got, want) {
			t.Fatalf("%s [%d, %d]: %d hits, want %d\n got %v\nwant %v", what, lo, hi, len(got), len(want), got, want)
		}
		if got := bitHits(q); !slices.Equal(got, want) {
			t.Fatalf("%s [%d, %d] through the bitmaps: %d hits, want %d\n got %v\nwant %v", what, lo, hi, len(got), len(want), got, want)
		}
	}
	bound := func() int64 {
		switch rng.IntN(6) {
		case 0: // an event's own time, or next to it
			return times[rng.IntN(len(times))] + rng.Int64N(3) - 1
		case 1: // a power of two's edge (Bleve's precisions)
			shift := rng.IntN(64)
			return base &^ (int64(1)<<shift - 1)
		case 2:
			return base + rng.Int64N(int64(time.Hour))
		case 3:
			return base + rng.Int64N(int64(80*24*time.Hour)) - int64(40*24*time.Hour)
		case 4:
			return []int64{math.MinInt64, math.MaxInt64, 0, -1}[rng.IntN(4)]
		}
		return rng.Int64()
	}
	for range 400 {
		lo, hi := bound(), bound()
		if lo > hi {
			lo, hi = hi, lo
		}
		check("timeRange", timeRange{lo, hi}, lo, hi)
	}
	check("empty", timeRange{base, base - 1}, base, base-1)

	// Compile: [From, To), a zero side open.
	from, to := time.Unix(0, base), time.Unix(0, base+int64(10*time.Minute))
	for _, c := range []struct {
		from, to time.Time
		lo, hi   int64
	}{{from, to, base, base + int64(10*time.Minute) - 1}, {from, time.Time{}, base, math.MaxInt64},
		{time.Time{}, to, math.MinInt64, base + int64(10*time.Minute) - 1}} {
		q, err := Compile(audit.Query{From: c.from, To: c.to})
		if err != nil {
			t.Fatal(err)
		}
		check("Compile", q, c.lo, c.hi)
	}
	q0, err := Compile(audit.Query{To: time.Unix(0, math.MinInt64)})
	if err != nil {
		t.Fatal(err)
	}
	check("Compile to the first nanosecond", q0, 1, 0)
	if _, err := Compile(audit.Query{From: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Error("a range before 1678 compiled")
	}

	// The query string's ranges on time (dates, and numbers as nanoseconds).
	at := time.Unix(0, times[0]).UTC() // an event's own time: the bounds' inclusion shows
	s := at.Format(time.RFC3339Nano)
	ns := at.UnixNano()
	for text, r := range map[string][2]int64{
		`time:>"` + s + `"`:  {ns + 1, math.MaxInt64},
		`time:>="` + s + `"`: {ns, math.MaxInt64},
		`time:<"` + s + `"`:  {math.MinInt64, ns - 1},
		`time:<="` + s + `"`: {math.MinInt64, ns},
		// At the ends of what nanoseconds hold: nothing is after the last or before the first.
		`time:>"` + time.Unix(0, math.MaxInt64).UTC().Format(time.RFC3339Nano) + `"`: {1, 0},
		`time:<"` + time.Unix(0, math.MinInt64).UTC().Format(time.RFC3339Nano) + `"`: {1, 0},
		// Past what nanoseconds hold: every event is after 1500 and before 3000.
		`time:>"1500-01-01T00:00:00Z"`:  {math.MinInt64, math.MaxInt64},
		`time:<"1500-01-01T00:00:00Z"`:  {1, 0},
		`time:<="3000-01-01T00:00:00Z"`: {math.MinInt64, math.MaxInt64},
		`time:>="3000-01-01T00:00:00Z"`: {1, 0},
		`time:>99999999999999999999`:    {1, 0},
		`time:<99999999999999999999`:    {math.MinInt64, math.MaxInt64},
		`time:>-99999999999999999999`:   {math.MinInt64, math.MaxInt64},
		`time:>1.5`:                     {2, math.MaxInt64}, // a fraction: the whole nanoseconds within
		// Numbers are float64 in the query syntax: whole seconds are exact.
		fmt.Sprintf("time:>=%d", base):                                   {base, math.MaxInt64},
		fmt.Sprintf("time:<%d", base):                                    {math.MinInt64, base - 1},
		fmt.Sprintf("+time:>%d +time:<=%d", base, base+int64(time.Hour)): {base + 1, base + int64(time.Hour)},
	} {
		q, err := Compile(audit.Query{Text: text})
		if err != nil {
			t.Fatal(text, err)
		}
		check(text, q, r[0], r[1])
		// Beside a word every event has, as a must: a range no event is in
		// leaves nothing (the query string's conjunction leaves out a part
		// that matches nothing by its kind, as a stop word).
		with := "+ann " + text
		if !strings.HasPrefix(text, "+") {
			with = "+ann +" + text
		}
		if q, err = x.compile(audit.Query{Text: with}); err != nil {
			t.Fatal(with, err)
		}
		check(with, q, r[0], r[1])
	}

	// Every page of a search within a range, in time order.
	q := audit.Query{Text: "ann", From: time.Unix(0, base-int64(24*time.Hour)), To: time.Unix(0, base+int64(time.Hour)), Limit: 7}
	want := within(q.From.UnixNano(), q.To.UnixNano()-1)
	var got []string
	for {
		res, err := x.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != uint64(len(want)) {
			t.Fatalf("total %d, want %d", res.Total, len(want))
		}
		got = append(got, idsOf(x, res.Seqs)...)
		if res.Next == "" {
			break
		}
		q.Cursor = res.Next
	}
	byTime := slices.Clone(want)
	slices.SortFunc(byTime, func(a, b string) int {
		ta, tb := times[idx(a)], times[idx(b)]
		if ta != tb {
			return -cmpInt(ta, tb)
		}
		return -strings.Compare(a, b) // ids in the order of seqs
	})
	if !slices.Equal(got, byTime) {
		t.Fatalf("pages:\n got %v\nwant %v", got, byTime)
	}

	// Events written again (their tags) leave their old documents deleted
	// in the segments that held them; each is found once.
	for i := 0; i < len(evs); i += 9 {
		evs[i].Tags = []string{"again"}
		if err := x.Update(int64(i+1), evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, deleted := segmentsOf(x); deleted == 0 {
		t.Fatal("no document deleted")
	}
	for range 100 {
		lo, hi := bound(), bound()
		if lo > hi {
			lo, hi = hi, lo
		}
		check("timeRange after updates", timeRange{lo, hi}, lo, hi)
	}
}

func idx(id string) int {
	var i int
	fmt.Sscanf(id, "e%d", &i)
	return i
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// An event's time is a stored field alone, no term or doc value, and the
// passes that hand times (EachKey, through the bitmaps, with and without
// the memo's times, and through Bleve's searcher; EachTime) read each
// hit's, to the nanosecond.
func TestTimesStored(t *testing.T) {
	var evs []*audit.Event
	for i, at := range []string{"2026-01-02T10:00:00.123456789Z", "1969-12-31T23:59:59.999999999Z", "2026-01-02T10:00:00.123456789Z", "1678-01-01T00:00:00Z"} {
		e := ev(fmt.Sprint("e", i), at, "user.login", "Ann Lee", `{}`)
		e.Category = "access"
		evs = append(evs, e)
	}
	x := openIndex(t, evs...)
	d, err := x.idx.FieldDict(timeFieldName)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := d.Next(); e != nil || err != nil {
		t.Fatalf("a term on time: %v, %v", e, err)
	}
	d.Close()
	values := 0
	if _, err := x.eachMatch(query.NewMatchAllQuery(), func(sc *search.SearchContext) (func(*search.DocumentMatch) error, error) {
		dvs, err := sc.IndexReader.DocValueReader([]string{timeFieldName})
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return nil
			}
			return dvs.VisitDocValues(d.IndexInternalID, func(string, []byte) { values++ })
		}, err
	}); err != nil || values != 0 {
		t.Fatalf("%d doc values on time, %v", values, err)
	}
	want := map[int64]int64{}
	for i, e := range evs {
		want[int64(i+1)] = e.Time.UnixNano()
	}
	for _, way := range []string{"bitmaps", "memo", "searcher"} {
		forgetKeys(x)
		if way == "memo" { // (a range reads every document's time, once)
			for i := range 2 {
				reads := x.keyReads.Load()
				if _, _, err := x.eachBitSeq(timeRange{math.MinInt64, math.MaxInt64}, func(int64) {}, nil); err != nil {
					t.Fatal(err)
				}
				if n := x.keyReads.Load() - reads; n != uint64(len(evs)*(1-i)) {
					t.Fatalf("range %d read %d documents' times", i+1, n)
				}
			}
		}
		x.noBitPass = way == "searcher"
		got := map[int64]int64{}
		if _, err := x.EachKey(audit.Query{Text: "ann"}, func(seq, ns int64) { got[seq] = ns }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: keys %v, want %v", way, got, want)
		}
	}
	x.noBitPass = false
	var times []int64
	if err := x.EachTime(audit.Query{Text: "ann"}, "category", []string{"access"}, func(ns int64, v int) {
		if v != 0 {
			t.Errorf("stack value %d", v)
		}
		times = append(times, ns)
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(times)
	wantTimes := slices.Sorted(maps.Values(want))
	if !slices.Equal(times, wantTimes) {
		t.Fatalf("EachTime: %v, want %v", times, wantTimes)
	}
}

// The pass that finds a query's time bounds keeps up to keep hits' times
// and stack values; their buckets then count as a second pass does, for
// any edges. Past keep it keeps none and says so, and its bounds and
// count stay exact.
func TestHitTimesCountAsHistogram(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	base := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	var evs []*audit.Event
	var oldest, newest time.Time
	for i := 0; i < 300; i++ {
		e := ev(fmt.Sprint("e", i), "2026-02-01T00:00:00Z", "user.login", "Ann Lee", `{}`)
		e.Time = base.Add(time.Duration(rng.Int64N(int64(90 * 24 * time.Hour))))
		e.Category = []string{"access", "alert", "Configuration", "other"}[rng.IntN(4)]
		if i%7 == 0 {
			e.Message = "queue depth high"
			if oldest.IsZero() || e.Time.Before(oldest) {
				oldest = e.Time
			}
			if e.Time.After(newest) {
				newest = e.Time
			}
		}
		evs = append(evs, e)
	}
	x := openIndex(t, evs...)
	values := []string{"access", "alert", "configuration", "user"}
	q := audit.Query{Text: `"queue depth"`}
	edgeSets := [][]time.Time{
		{base, base.Add(30 * 24 * time.Hour), base.Add(60 * 24 * time.Hour), base.Add(91 * 24 * time.Hour)},
		{base.Add(10 * 24 * time.Hour), base.Add(11 * 24 * time.Hour), base.Add(40 * 24 * time.Hour)},
		{},
	}
	// The kept hits in chunks of the default sizes (one), and of 2, 4 and 8
	// (many).
	defer func(first, most int) { hitChunkFirst, hitChunkMax = first, most }(hitChunkFirst, hitChunkMax)
	for _, chunks := range [][2]int{{hitChunkFirst, hitChunkMax}, {2, 8}} {
		hitChunkFirst, hitChunkMax = chunks[0], chunks[1]
		countKept(t, x, q, values, evs, oldest, newest, edgeSets)
	}
}

func countKept(t *testing.T, x *Index, q audit.Query, values []string, evs []*audit.Event, oldest, newest time.Time, edgeSets [][]time.Time) {
	for _, keep := range []int{0, 5, 43, 1000} {
		h := NewHitTimes(values, keep)
		if err := x.EachTime(q, "category", values, h.Add); err != nil {
			t.Fatal(err)
		}
		if h.N != 43 || h.Oldest != oldest.UnixNano() || h.Newest != newest.UnixNano() {
			t.Fatalf("keep %d: %d hits from %d to %d, want 43 from %v to %v", keep, h.N, h.Oldest, h.Newest, oldest, newest)
		}
		for _, edges := range edgeSets {
			got, kept := h.Count(edges)
			if kept != (keep >= 43) {
				t.Fatalf("keep %d: kept %v", keep, kept)
			}
			if !kept {
				continue
			}
			pass, err := CountTimes(edges, values, func(add func(int64, int)) error {
				return x.EachTime(q, "category", values, add)
			})
			if err != nil {
				t.Fatal(err)
			}
			// what counting the events themselves gives
			want := map[string][]int{}
			for _, v := range values {
				want[v] = make([]int, max(len(edges)-1, 0))
			}
			for i, e := range evs {
				for b := 0; i%7 == 0 && b+1 < len(edges); b++ {
					if v := strings.ToLower(e.Category); want[v] != nil && !e.Time.Before(edges[b]) && e.Time.Before(edges[b+1]) {
						want[v][b]++
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(pass) != fmt.Sprint(want) {
				t.Fatalf("keep %d, chunks of %d to %d, edges %v: kept %v, a pass %v, want %v", keep, hitChunkFirst, hitChunkMax, edges, got, pass, want)
			}
		}
	}
}
