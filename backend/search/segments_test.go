package search

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"auditlens/backend/audit"
)

// greatestTerm finds the last term of every dictionary of every segment:
// ids, times, words and keyword values of the corpus and demo events, and
// values made to be hard (a prefix of another, bytes 0x00 and 0xff, one
// byte, none but empty).
func TestGreatestTerm(t *testing.T) {
	evs := corpusAndDemo(t)
	for i, v := range []string{"a", "ab", "ab\xff", "ab\xff\xff", "b\x00", "b", "\xff", "zz\x00\x00"} {
		evs = append(evs, ev(fmt.Sprint("hard", i), "2026-03-01T10:00:00Z", v, "Ann Lee", `{}`))
	}
	_, snap := reopenedSegments(t, evs, 0, len(evs)/3, len(evs)-8, len(evs)-5, len(evs))
	fields := 0
	for _, ss := range snap.Segments() {
		for _, field := range append(ss.Segment().Fields(), "no such field") {
			dict, err := ss.Segment().Dictionary(field)
			if err != nil {
				t.Fatal(err)
			}
			var last []byte
			for _, e := range dictEntries(t, dict) {
				last = []byte(e.Term)
			}
			got, err := greatestTerm(dict)
			if err != nil || !bytes.Equal(got, last) {
				t.Errorf("%s: %q (%v), the last term %q", field, got, err, last)
			}
			fields++
		}
	}
	if fields < 4*10 {
		t.Fatalf("%d dictionaries", fields)
	}
}

// A segment's update check (DocNumbers) finds what zap's finds, for keys
// below, among, between and above its own, and for keys of another form.
func TestKeyedSegmentsFindAsZap(t *testing.T) {
	var evs []*audit.Event
	for i := range 600 {
		evs = append(evs, ev(fmt.Sprint("e", i), "2026-03-01T10:00:00Z", "user.login", "Ann Lee", `{}`))
	}
	_, snap := reopenedSegments(t, evs, 0, 200, 400, 600)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i, ss := range snap.Segments() {
		k, ok := ss.Segment().(*keyedSegment)
		if !ok {
			t.Fatalf("segment %d of %T", i, ss.Segment())
		}
		for range 200 {
			var ids []string
			for range rnd.IntN(12) {
				switch rnd.IntN(4) {
				case 0:
					ids = append(ids, DocKey(rnd.Int64N(700)))
				case 1:
					ids = append(ids, DocKey(rnd.Int64N(700))+"x")
				case 2:
					ids = append(ids, fmt.Sprint("e", rnd.IntN(600)))
				default:
					ids = append(ids, DocKey(int64(200*(i+1)+rnd.IntN(2))))
				}
			}
			got, err := k.DocNumbers(ids)
			want, werr := k.Segment.DocNumbers(ids)
			if err != nil || werr != nil || !slices.Equal(got.ToArray(), want.ToArray()) {
				t.Fatalf("segment %d, %q: %v (%v), zap's %v (%v)", i, ids, got, err, want, werr)
			}
		}
	}
}

// dictEntries are every term of a dictionary, in order, with its count.
func dictEntries(t *testing.T, dict segment.TermDictionary) []index.DictEntry {
	t.Helper()
	var out []index.DictEntry
	it := dict.AutomatonIterator(nil, nil, nil)
	for e, err := it.Next(); e != nil || err != nil; e, err = it.Next() {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *e)
	}
	return out
}

// reopenedSegments writes evs to a new index, a segment for each span of
// bounds (merges kept off), and opens it again, each segment from its file.
// It gives the index and a snapshot of it, closed when the test ends.
func reopenedSegments(t *testing.T, evs []*audit.Event, bounds ...int) (*Index, *scorch.IndexSnapshot) {
	t.Helper()
	noMerges = true
	defer func() { noMerges = false }()
	dir := filepath.Join(t.TempDir(), "index")
	x, _, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	addSegments(t, x, evs, bounds...)
	x.Close()
	if x, _, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	ai, _ := x.idx.Advanced()
	r, err := ai.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return x, r.(*scorch.IndexSnapshot)
}
