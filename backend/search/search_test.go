package search

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"

	"auditlens/backend/audit"
)

func TestRawValues(t *testing.T) {
	got := rawValues([]byte(`{"user":"Alice \"A\" Smith","n":42,"nested":{"k":["x\ny",true,null,-1.5e3]},"esc":"a\u003cb"}`))
	for _, want := range []string{`Alice "A" Smith`, "42", "x y", "-1.5e3", "a<b"} { // (\u003c is <: a word ends there as at the space it was)
		if !strings.Contains(got, want) {
			t.Errorf("rawValues lacks %q: %q", want, got)
		}
	}
	for _, key := range []string{"user", "nested", "esc"} {
		if strings.Contains(got, key) {
			t.Errorf("rawValues holds the key %q: %q", key, got)
		}
	}
	if got := rawValues([]byte(`{"a":"x","b":"y","c":"X","d":"x y"}`)); got != "x\x1ey\x1ex y\x1e" {
		t.Errorf("values, each once, end with valueSep: %q", got)
	}
	if got := rawValues([]byte("type=USER_LOGIN acct=root")); got != "type=USER_LOGIN acct=root\x1e" {
		t.Errorf("a non-JSON record is its own text: %q", got)
	}
}

func openIndex(t testing.TB, evs ...*audit.Event) *Index {
	t.Helper()
	x, fresh, err := Open(filepath.Join(t.TempDir(), "index"), Options{})
	if err != nil || !fresh {
		t.Fatal(err, fresh)
	}
	t.Cleanup(func() { x.Close(); delete(stored, x) })
	b := x.NewBatch()
	for i, ev := range evs {
		if err := b.Add(int64(i+1), ev); err != nil {
			t.Fatal(err)
		}
	}
	stored[x] = evs
	if err := b.Commit(int64(len(evs)), true); err != nil {
		t.Fatal(err)
	}
	return x
}

func ev(id string, at string, action, actor string, raw string) *audit.Event {
	tm, _ := time.Parse(time.RFC3339, at)
	return &audit.Event{ID: id, Time: tm, Action: action, Category: "access", Outcome: "success",
		Actor:   audit.Actor{Name: actor, Email: strings.ToLower(strings.Fields(actor)[0]) + "@example.com"},
		Message: actor + " " + action, Raw: audit.RawRecord(raw)}
}

// stored holds the events of each index openIndex made, by seq - 1.
var stored = map[*Index][]*audit.Event{}

// idsOf gives the event ids of seqs of an index openIndex made, and the
// document keys of an index a test filled itself.
func idsOf(x *Index, seqs []int64) []string {
	out := make([]string, len(seqs))
	for i, seq := range seqs {
		if evs := stored[x]; evs != nil {
			out[i] = evs[seq-1].ID
		} else {
			out[i] = DocKey(seq)
		}
	}
	return out
}

func ids(t *testing.T, x *Index, q audit.Query) []string {
	t.Helper()
	res, err := x.Search(q)
	if err != nil {
		t.Fatal(err)
	}
	return idsOf(x, res.Seqs)
}

// The reference's pages (its hits' stored times, sorted) give every
// hit once, newest first, ties by seq descending, across equal times and
// cursors, within query ranges, for common and rare words.
func TestReferencePagesInTimeOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	var evs []*audit.Event
	perm := rng.Perm(3000) // ids in no relation to times or seqs
	for i := 0; i < 3000; i++ {
		// Bursts and gaps, millisecond times, some events sharing a time.
		at := base.Add(time.Duration(rng.ExpFloat64() * float64(200*time.Hour))).Truncate(time.Millisecond)
		if i%10 == 3 {
			at = evs[i-1].Time
		}
		e := ev(fmt.Sprintf("e%04d", perm[i]), at.Format(time.RFC3339Nano), "act", "Some One", "{}")
		e.Time = at
		e.Message = []string{"common", "common rare"}[min(i%97, 1)^1]
		evs = append(evs, e)
	}
	x := openIndex(t, evs...)
	seqOf := map[*audit.Event]int{}
	for i, e := range evs {
		seqOf[e] = i + 1
	}
	evs = slices.Clone(evs)
	sort.Slice(evs, func(i, j int) bool {
		if !evs[i].Time.Equal(evs[j].Time) {
			return evs[i].Time.After(evs[j].Time)
		}
		return seqOf[evs[i]] > seqOf[evs[j]]
	})
	for _, c := range []audit.Query{
		{Text: "common"}, {Text: "rare"}, {Text: "common", From: base.Add(10 * time.Hour), To: base.Add(50*time.Hour + 1)},
		{Text: "rare", From: base.Add(3 * time.Hour)}, {Text: "common", To: base.Add(time.Hour)},
	} {
		var want []string
		for _, e := range evs {
			if strings.Contains(e.Message, c.Text) && (c.From.IsZero() || !e.Time.Before(c.From)) && (c.To.IsZero() || e.Time.Before(c.To)) {
				want = append(want, e.ID)
			}
		}
		for _, limit := range []int{1, 7, 100, 5000} {
			if limit == 1 && len(want) > 100 {
				continue
			}
			{
				var got []string
				q := c
				q.Limit = limit
				for {
					res, err := x.Search(q)
					if err != nil {
						t.Fatal(err)
					}
					if int(res.Total) != len(want) {
						t.Fatalf("%+v: total %d, want %d", c, res.Total, len(want))
					}
					got = append(got, idsOf(x, res.Seqs)...)
					if res.Next != "" && len(got) <= len(want) {
						// The cursor is the last hit's time and key.
						after, err := decodeCursor(res.Next)
						if tm := time.Unix(0, after.ns); err != nil || !tm.Equal(timeOf(evs, got[len(got)-1])) {
							t.Fatalf("cursor time %v (%v), want that of %s", tm, err, got[len(got)-1])
						}
					}
					if res.Next == "" {
						break
					}
					q.Cursor = res.Next
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Fatalf("%+v limit %d: %d hits, want %d, or in another order", c, limit, len(got), len(want))
				}
			}
		}
	}
}

func TestQueries(t *testing.T) {
	x := openIndex(t,
		ev("a", "2026-01-01T00:00:00Z", "ConsoleLogin", "Alice Smith", `{"region":"eu-west-1","note":"first sign in"}`),
		ev("b", "2026-01-02T00:00:00Z", "escalation_policy.updated", "Bob Jones", `{"policy":"Payments primary"}`),
		ev("c", "2026-01-03T00:00:00Z", "ConsoleLogout", "Alice Smith", `{"region":"us-east-1"}`),
	)
	if x.Watermark() != 3 {
		t.Fatalf("watermark %d", x.Watermark())
	}
	cases := []struct {
		q    audit.Query
		want string
	}{
		{audit.Query{}, "c b a"},
		{audit.Query{Text: "action:consolelogin"}, "a"},
		{audit.Query{Text: "action:Console*"}, "c a"},
		{audit.Query{Text: "actor.name:alice"}, "c a"},
		{audit.Query{Text: "actor.email:bob@example.com"}, "b"},
		{audit.Query{Text: `"payments primary"`}, "b"},
		{audit.Query{Text: "eu-west-1"}, "a"},
		{audit.Query{Text: `+actor.name:alice -action:consolelogout`}, "a"},
		{audit.Query{From: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}, "c b"},
		{audit.Query{To: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}, "a"},
		{audit.Query{Text: "actor.name:alice", From: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}, "c"},
	}
	for _, c := range cases {
		if got := strings.Join(ids(t, x, c.q), " "); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.q, got, c.want)
		}
	}
}

// A quoted value of a keyword field is one exact term, also in an index
// opened again (not just created).
func TestQuotedKeywordValueAfterReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	x, _, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := x.NewBatch()
	b.Add(1, ev("a", "2026-01-01T00:00:00Z", "login", "Alice Smith", `{}`))
	if err := b.Commit(1, true); err != nil {
		t.Fatal(err)
	}
	x.Close()
	x, fresh, err := Open(dir, Options{})
	if err != nil || fresh {
		t.Fatal(err, fresh)
	}
	defer x.Close()
	if got := ids(t, x, audit.Query{Text: `+actor.label:"alice@example.com"`}); len(got) != 1 {
		t.Fatalf("quoted keyword value: %v", got)
	}
	if got := ids(t, x, audit.Query{Text: `actor.name:"alice smith"`}); len(got) != 1 {
		t.Fatalf("phrase on a text field: %v", got)
	}
}

// A batch written after the index was closed fails, as Bleve's own Batch
// does, rather than waiting for ever on scorch's stopped introducer; its
// documents, which Batch hands scorch itself, are what a search finds.
func TestBatchAfterCloseFails(t *testing.T) {
	x, _, err := Open(filepath.Join(t.TempDir(), "index"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := x.NewBatch()
	b.Add(1, ev("a", "2026-01-01T00:00:00Z", "login", "Alice Smith", `{"note":"quarterly audit"}`))
	if err := b.Commit(1, true); err != nil || b.Size() != 0 {
		t.Fatal(err, b.Size())
	}
	if got := ids(t, x, audit.Query{Text: `"quarterly audit" alice`}); len(got) != 1 {
		t.Fatalf("found %v", got)
	}
	x.Close()
	b = x.NewBatch()
	b.Add(2, ev("b", "2026-01-01T00:00:01Z", "login", "Bob", `{}`))
	if b.Size() != 1 {
		t.Fatalf("queued: %d", b.Size())
	}
	done := make(chan error, 1)
	go func() { done <- b.Commit(2, false) }()
	select {
	case err := <-done:
		if !errors.Is(err, bleve.ErrorIndexClosed) {
			t.Fatalf("a batch after Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a batch after Close still waits")
	}
}

func timeOf(evs []*audit.Event, id string) time.Time {
	for _, e := range evs {
		if e.ID == id {
			return e.Time
		}
	}
	return time.Time{}
}

// The facet fields, and only they, keep doc values: without them Bleve
// would count a facet by uninverting the field's postings into memory at
// its first use, and the others' took 4% of the index for nothing.
func TestDocValuesOnFacetFieldsOnly(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var walk func(prefix string, d *mapping.DocumentMapping)
	walk = func(prefix string, d *mapping.DocumentMapping) {
		for name, sub := range d.Properties {
			for _, f := range sub.Fields {
				if f.DocValues {
					got = append(got, prefix+name)
				}
			}
			walk(prefix+name+".", sub)
		}
	}
	walk("", m.(*mapping.IndexMappingImpl).DefaultMapping)
	want := slices.Clone(FacetFields)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("fields with doc values: %v, want the facet fields %v", got, want)
	}
}

// An index of another mapping version (made by an older auditlens) is
// removed and made anew, empty, for the case to fill; one of this version
// is opened as it is.
func TestOtherMappingVersionIsRebuilt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	x, fresh, err := Open(dir, Options{})
	if err != nil || !fresh {
		t.Fatal(err, fresh)
	}
	b := x.NewBatch()
	b.Add(1, ev("a", "2026-01-02T10:00:00Z", "login", "Alice Smith", `{}`))
	if err := b.Commit(1, true); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if x, fresh, err = Open(dir, Options{}); err != nil || fresh || x.Watermark() != 1 {
		t.Fatalf("same version: %v fresh %v watermark %d", err, fresh, x.Watermark())
	}
	old := x.NewBatch()
	old.b.SetInternal(keyVersion, []byte("8"))
	if err := old.commit(true); err != nil {
		t.Fatal(err)
	}
	x.Close()
	x, fresh, err = Open(dir, Options{})
	if err != nil || !fresh {
		t.Fatalf("version 8: %v fresh %v", err, fresh)
	}
	defer x.Close()
	if n, _ := x.DocCount(); n != 0 || x.Watermark() != 0 {
		t.Fatalf("the new index holds %d documents, watermark %d", n, x.Watermark())
	}
	if v, _ := x.idx.GetInternal(keyVersion); string(v) != MappingVersion {
		t.Fatalf("version %q", v)
	}
}

// One process opens the indexes of several cases (tests; a window that
// opens another case). Bleve writes the store's path into the config map
// it is given when it creates an index: with one shared map, every later
// open went to the folder of the index created last. Reopening b then read
// a's store, found no mapping version there, and deleted b to rebuild it.
func TestIndexesKeepToTheirFolders(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	y, fresh, err := Open(b, Options{})
	if err != nil || !fresh {
		t.Fatal(err, fresh)
	}
	batch := y.NewBatch()
	batch.Add(1, ev("e1", "2026-01-02T10:00:00Z", "login", "Alice Smith", `{}`))
	if err := batch.Commit(1, true); err != nil {
		t.Fatal(err)
	}
	y.Close()
	x, fresh, err := Open(a, Options{})
	if err != nil || !fresh {
		t.Fatal(err, fresh)
	}
	x.Close()
	if err := os.RemoveAll(a); err != nil {
		t.Fatal(err)
	}
	y, fresh, err = Open(b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if n, _ := y.DocCount(); fresh || n != 1 || y.Watermark() != 1 {
		t.Fatalf("b reopened: fresh %v, %d documents, watermark %d", fresh, n, y.Watermark())
	}
	if _, err := os.Stat(a); !os.IsNotExist(err) {
		t.Fatalf("opening b wrote into a's folder (%v)", err)
	}
}

// Document keys sort as their seqs do (ties of time are ordered by them,
// and an import's new keys lie above every older segment's), and read back.
func TestDocKeysSortAsSeqs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	seqs := []int64{0, 1, 9, 10, 15, 16, 255, 256, 1 << 32, math.MaxInt64 - 1, math.MaxInt64}
	for range 2000 {
		seqs = append(seqs, rng.Int64N(1<<uint(rng.IntN(62)+1)))
	}
	for i, a := range seqs {
		if got, err := SeqOf(DocKey(a)); err != nil || got != a {
			t.Fatalf("SeqOf(DocKey(%d)) = %d, %v", a, got, err)
		}
		b := seqs[(i*7+3)%len(seqs)]
		if (DocKey(a) < DocKey(b)) != (a < b) {
			t.Fatalf("%d and %d: keys %s and %s sort otherwise", a, b, DocKey(a), DocKey(b))
		}
	}
	for _, bad := range []string{"", "1", "5d41402abc4b2a76b9719d911017c592", "000000000000000g", "-00000000000001", "+000000000000001",
		"8000000000000000", "ffffffffffffffff", "000000000000000A", "00000000000000 1"} {
		if _, err := SeqOf(bad); err == nil {
			t.Errorf("SeqOf(%q) read a seq", bad)
		}
	}
	// Cursors of the version keyed by event id, and ones not made here,
	// are refused (search-after would take them for a key); one of mapping
	// 18, the hit's time doc value and key, goes on from its hit.
	x := openIndex(t, ev("a", "2026-01-01T00:00:00Z", "login", "Alice Smith", `{}`), ev("b", "2026-01-02T00:00:00Z", "login", "Bob Jones", `{}`))
	day := string(numeric.MustNewPrefixCodedInt64(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC).UnixNano(), 0))
	for _, bad := range [][]string{{day, "5d41402abc4b2a76b9719d911017c592"}, {"2026-01-02", DocKey(2)},
		{string(numeric.MustNewPrefixCodedInt64(5, 4)), DocKey(2)}, {day}, {day, DocKey(2), DocKey(2)}} {
		_, err := x.Search(audit.Query{Text: "login", Cursor: cursorOf(bad)})
		if audit.ErrorCode(err) != audit.EINVALID {
			t.Fatalf("the cursor %q: %v", bad, err)
		}
	}
	res, err := x.Search(audit.Query{Text: "login", Cursor: cursorOf([]string{day, DocKey(2)})})
	if err != nil || res.Total != 2 || !slices.Equal(res.Seqs, []int64{1}) {
		t.Fatalf("after b: %+v, %v", res, err)
	}
}

// cursorOf is a cursor of these sort values.
func cursorOf(sort []string) string {
	b, _ := json.Marshal(sort)
	return base64.RawURLEncoding.EncodeToString(b)
}

// AND, OR and NOT are no operators in Bleve's syntax, and as words match
// nothing: a query holding one as a clause of its own is refused, with
// what to write instead; inside a phrase, escaped, or part of a word it is
// text.
func TestOperatorWordsRefused(t *testing.T) {
	x := openIndex(t, ev("a", "2026-01-01T00:00:00Z", "login", "Alice Smith", `{"os":"Android"}`))
	for _, q := range []string{"NOT outcome:success", "outcome:failure AND category:access", "alice OR bob",
		"alice && bob", "+alice || bob", `"alice smith" AND login`, "! alice", `it"s NOT alice`, `size:5" OR alice`} {
		_, err := x.Search(audit.Query{Text: q})
		if audit.ErrorCode(err) != audit.EINVALID || !strings.Contains(err.Error(), "not an operator") {
			t.Errorf("%q: %v", q, err)
		}
	}
	for q, want := range map[string]uint64{`"alice AND smith"`: 0, "android": 1, "ANDROID": 1, "and alice": 1,
		`alice\ AND`: 1, "-NOT alice": 1, "action:login": 1, `"a \" AND" alice`: 1,
		`x"y "a AND b" alice`: 1, "alice\tNOT": 1, "alice\tAND bob": 1, `+"alice smith" +"smith AND"`: 1} {
		res, err := x.Search(audit.Query{Text: q})
		if err != nil || res.Total != want {
			t.Errorf("%q: %+v, %v; want %d hits", q, res, err, want)
		}
	}
}

// A field the index has not is refused, naming the fields: Bleve answers it
// with nothing, so a misspelt field (actor.emial:) or a word with a colon
// (http://x, read as the field http) read as "no event".
func TestUnknownFieldsRefused(t *testing.T) {
	x := openIndex(t, ev("a", "2026-01-01T00:00:00Z", "login", "Alice Smith", `{"url":"http://x.example/a"}`))
	for _, q := range []string{"actor.emial:alice", "http://x.example/a", "+alice -outcom:failure", "raw.url:x", `bogus:"a b"`, "tags:starred"} {
		_, err := x.Search(audit.Query{Text: q})
		if audit.ErrorCode(err) != audit.EINVALID || !strings.Contains(err.Error(), "there is no field") || !strings.Contains(err.Error(), "actor.email") {
			t.Errorf("%q: %v", q, err)
		}
	}
	for _, f := range QueryFields() {
		v := "x"
		if f == "time" {
			v = "2026-01-01"
		}
		if _, err := x.Search(audit.Query{Text: f + ":" + v}); err != nil {
			t.Errorf("%s:x: %v", f, err)
		}
	}
	if res, err := x.Search(audit.Query{Text: `"http://x.example/a"`}); err != nil || res.Total != 1 {
		t.Errorf("the quoted URL: %+v, %v", res, err)
	}
}

// time: takes an instant or a date as well as a range; anything else is
// refused, where it matched nothing (the time is no term).
func TestTimeValues(t *testing.T) {
	x := openIndex(t, ev("a", "2025-10-26T00:30:00.5Z", "login", "Alice", `{}`), ev("b", "2025-10-26T23:59:59Z", "login", "Bob", `{}`),
		ev("c", "2025-10-27T00:00:00Z", "login", "Carol", `{}`))
	for q, want := range map[string]uint64{`time:"2025-10-26T00:30:00.5Z"`: 1, `time:"2025-10-26T02:30:00.5+02:00"`: 1,
		`time:"2025-10-26T00:30:00Z"`: 0, "time:2025-10-26": 2, "+time:2025-10-27 +carol": 1, "-time:2025-10-26": 1} {
		res, err := x.Search(audit.Query{Text: q})
		if err != nil || res.Total != want {
			t.Errorf("%q: %+v, %v; want %d", q, res, err, want)
		}
	}
	for _, q := range []string{"time:2025*", "time:noon", "time:/2025.*/"} {
		if _, err := x.Search(audit.Query{Text: q}); audit.ErrorCode(err) != audit.EINVALID || !strings.Contains(err.Error(), "time") {
			t.Errorf("%q: %v", q, err)
		}
	}
}
