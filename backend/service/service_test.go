package service

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/numeric"

	"auditlens/backend/audit"
)

func corpus(t *testing.T) string {
	t.Helper()
	d, _ := filepath.Abs("../../../shared/corpus")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("corpus not found at %s: skipping", d)
	}
	return d
}

func openTemp(t *testing.T) *Case {
	t.Helper()
	c, err := Open(filepath.Join(t.TempDir(), "case"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustSearch(t *testing.T, c *Case, q audit.Query) *SearchResult {
	t.Helper()
	res, err := c.Search(q)
	if err != nil {
		t.Fatalf("search %q: %v", q.Text, err)
	}
	return res
}

func TestImportCorpusTwiceAndSearch(t *testing.T) {
	dir := corpus(t)
	c := openTemp(t)
	sum, err := c.Import([]string{dir}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failures) > 0 {
		t.Fatalf("failures: %v", sum.Failures)
	}
	if sum.Events < 850 {
		t.Fatalf("only %d events imported", sum.Events)
	}
	// Every source has a hash and a size; archive members name their archive.
	for _, s := range sum.Sources {
		if len(s.SHA256) != 64 {
			t.Errorf("source %s %s has no SHA-256", s.Path, s.Member)
		}
	}
	again, err := c.Import([]string{dir}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Events != 0 || again.Duplicates != sum.Events+sum.Duplicates {
		t.Fatalf("re-import: %d new events, %d duplicates; want 0 and %d", again.Events, again.Duplicates, sum.Events+sum.Duplicates)
	}

	all := mustSearch(t, c, audit.Query{Limit: 10000})
	if int(all.Total) != sum.Events {
		t.Fatalf("empty query matches %d events, %d were imported", all.Total, sum.Events)
	}
	for i := 1; i < len(all.Events); i++ {
		if all.Events[i].Time.After(all.Events[i-1].Time) {
			t.Fatalf("not newest first at %d: %s after %s", i, all.Events[i].Time, all.Events[i-1].Time)
		}
	}

	cases := []struct {
		name  string
		query string
		check func(*audit.Event) bool
	}{
		{"field term, any case", "action:describeinstances", func(e *audit.Event) bool { return e.Action == "DescribeInstances" }},
		{"actor name word and failure", "actor.name:fakeusername +outcome:failure", func(e *audit.Event) bool {
			return e.Outcome == audit.OutcomeFailure
		}},
		{"phrase", `"Update policy rule"`, func(e *audit.Event) bool { return e.Format == "okta.system_log" && e.Action == "policy.rule.update" }},
		{"wildcard", "action:Describe*", func(e *audit.Event) bool { return len(e.Action) > 8 && e.Action[:8] == "Describe" }},
		{"free text over raw values", `"microsoft-devtest"`, func(e *audit.Event) bool { return e.Format == "aws.cloudtrail.csv" }},
		{"free text only in raw", `866011396029255273`, func(e *audit.Event) bool { return strings.Contains(string(e.Raw), "866011396029255273") }}, // (an instance id, in no field)
		{"email term", "actor.email:pgustavo@simulandlabs.com", func(e *audit.Event) bool { return e.Actor.Email == "pgustavo@simulandlabs.com" }},
		{"negation", "+format:github.audit -action:repo.*", func(e *audit.Event) bool { return e.Format == "github.audit" && e.Action[:5] != "repo." }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := mustSearch(t, c, audit.Query{Text: tc.query, Limit: 1000})
			if res.Total == 0 {
				t.Fatalf("%q matched nothing", tc.query)
			}
			for _, e := range res.Events {
				if !tc.check(e) {
					t.Fatalf("%q matched %s %s %+v", tc.query, e.Format, e.Action, e.Actor)
				}
			}
		})
	}

	// A time range keeps [from, to).
	from := time.Date(2020, 9, 14, 0, 0, 0, 0, time.UTC)
	to := time.Date(2020, 9, 15, 0, 0, 0, 0, time.UTC)
	res := mustSearch(t, c, audit.Query{From: from, To: to, Limit: 1000})
	if res.Total == 0 {
		t.Fatal("no events on 2020-09-14")
	}
	for _, e := range res.Events {
		if e.Time.Before(from) || !e.Time.Before(to) {
			t.Fatalf("event at %s outside the range", e.Time)
		}
	}
	if _, err := c.Search(audit.Query{Text: `action:"unclosed`, Limit: 1}); audit.ErrorCode(err) != audit.EINVALID {
		t.Fatalf("a broken query gives %v, want an invalid-query error", err)
	}
}

// A case whose index is lost (or behind, after a killed import) catches up
// from the database when opened.
func TestIndexCatchesUpOnOpen(t *testing.T) {
	caseDir, events := githubCaseWithoutIndex(t, nil)
	c, err := Open(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.caughtUp.Load() != int64(events) {
		t.Fatalf("caught up %d events, want %d", c.caughtUp.Load(), events)
	}
	res := mustSearch(t, c, audit.Query{Limit: 1})
	if int(res.Total) != events {
		t.Fatalf("after reopening without an index: %d events searchable, want %d", res.Total, events)
	}
}

// githubCaseWithoutIndex is a case of the corpus's GitHub audit log whose
// search index was removed after the import (and after before, if given,
// looked at the case), and its number of events.
func githubCaseWithoutIndex(t *testing.T, before func(*Case)) (string, int) {
	t.Helper()
	dir := corpus(t)
	caseDir := filepath.Join(t.TempDir(), "case")
	c, err := Open(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Import([]string{filepath.Join(dir, "github_audit")}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if before != nil {
		before(c)
	}
	c.Close()
	if err := os.RemoveAll(filepath.Join(caseDir, "index")); err != nil {
		t.Fatal(err)
	}
	return caseDir, sum.Events
}

// Pages by cursor cover every match exactly once, newest first; Scan too.
func TestCursorPagesAndScan(t *testing.T) {
	dir := corpus(t)
	c := openTemp(t)
	sum, err := c.Import([]string{dir}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	q := audit.Query{Limit: 97}
	pages := 0
	for {
		res := mustSearch(t, c, q)
		pages++
		for _, e := range res.Events {
			if seen[e.ID] {
				t.Fatalf("event %s on two pages", e.ID)
			}
			seen[e.ID] = true
		}
		if res.Next == "" {
			break
		}
		q.Cursor = res.Next
	}
	if len(seen) != sum.Events || pages != (sum.Events+96)/97 {
		t.Fatalf("pages gave %d events in %d pages, want %d", len(seen), pages, sum.Events)
	}
	n := 0
	var last time.Time
	err = c.Scan(audit.Query{Text: "+format:github.audit"}, func(e *audit.Event) error {
		if n > 0 && e.Time.After(last) {
			t.Fatalf("scan not newest first")
		}
		last = e.Time
		n++
		return nil
	})
	if err != nil || n != 189 {
		t.Fatalf("scan: %v, %d events, want 189", err, n)
	}
	if _, err := c.Search(audit.Query{Cursor: "garbage"}); audit.ErrorCode(err) != audit.EINVALID {
		t.Fatalf("bad cursor: %v", err)
	}
	// Cursors of the version that ordered ties by event id are refused, by
	// the database and by the index, not taken for keys of another order.
	id := mustSearch(t, c, audit.Query{Limit: 1}).Events[0].ID
	old := func(v ...string) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	for _, q := range []audit.Query{{Cursor: old("t", "1767312000000000000", id)}, {Text: "login", Cursor: old(string(numeric.MustNewPrefixCodedInt64(time.Now().UnixNano(), 0)), id)}} {
		if _, err := c.Search(q); audit.ErrorCode(err) != audit.EINVALID {
			t.Fatalf("an old cursor %v: %v", q, err)
		}
	}
}

// Closing and opening a case keeps its index: nothing is rebuilt.
func TestReopenKeepsIndex(t *testing.T) {
	dir := corpus(t)
	caseDir := filepath.Join(t.TempDir(), "case")
	c, err := Open(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Import([]string{filepath.Join(dir, "github_audit")}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	want := c.index.Watermark()
	c.Close()
	c, err = Open(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.index.Watermark(); got != want || want == 0 || c.caughtUp.Load() != 0 {
		t.Fatalf("after reopening: watermark %d (want %d), %d events indexed again (want 0)", got, want, c.caughtUp.Load())
	}
}

// While another process holds the search index (an import from the command
// line), the case still opens at once: fields are searched in the database,
// words get a clear ECONFLICT, a tag is stored, and once the index is free
// words work again and find the tag.
func TestIndexHeldElsewhere(t *testing.T) {
	dir, a := githubCase(t)
	start := time.Now()
	b, err := Open(dir) // a flock on the index: another open file, as another process
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("opening took %v while the index was held", d)
	}
	if res := mustSearch(t, b, audit.Query{Text: "+format:github.audit", Limit: 5}); res.Total != 189 || len(res.Events) != 5 {
		t.Fatalf("fields while the index is held: %d events, %d on the page", res.Total, len(res.Events))
	}
	if f, err := b.Facets(audit.Query{}, 5); err != nil || len(f) == 0 {
		t.Fatalf("facets while the index is held: %v", err)
	}
	if _, err := b.Search(audit.Query{Text: "repo"}); audit.ErrorCode(err) != audit.ECONFLICT || !strings.Contains(err.Error(), "another auditlens process has this case open (auditlens serve, or the window)") {
		t.Fatalf("words while the index is held: %v", err)
	}
	// A tag set meanwhile is stored, and reaches the index once it is free.
	first := mustSearch(t, b, audit.Query{Text: "+format:github.audit", Limit: 1}).Events[0].ID
	if _, err := b.Tag(first, "starred", false); err != nil {
		t.Fatalf("a tag while the index is held: %v", err)
	}
	a.Close()
	if res := mustSearch(t, b, audit.Query{Text: "repo", Limit: 1}); res.Total == 0 {
		t.Fatalf("words once the index is free: nothing found")
	}
	if res := mustSearch(t, b, audit.Query{Text: "tag:starred"}); len(res.Events) != 1 || res.Events[0].ID != first {
		t.Fatalf("the tag set while the index was held: %d events found", len(res.Events))
	}
}

// githubCase is a case of the corpus's GitHub events, open (the caller
// closes it).
func githubCase(t *testing.T) (string, *Case) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "case")
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import([]string{filepath.Join(corpus(t), "github_audit")}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return dir, a
}

// A tag set while another process holds the index reaches the index even
// when the process that set it ends first: the next process to hold the
// index writes it. A tag changed again while that process writes the first
// change is not lost either (the note's count moved).
func TestTagOutlivesItsProcess(t *testing.T) {
	dir, a := githubCase(t)
	b, err := Open(dir) // the index is a's
	if err != nil {
		t.Fatal(err)
	}
	evs := mustSearch(t, b, audit.Query{Text: "+format:github.audit", Limit: 2}).Events
	for _, ev := range evs {
		if _, err := b.Tag(ev.ID, "starred", false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Tag(evs[1].ID, "starred", true); err != nil {
		t.Fatal(err)
	}
	b.Close()
	a.Close()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if res := mustSearch(t, c, audit.Query{Text: "tag:starred"}); len(res.Events) != 1 || res.Events[0].ID != evs[0].ID {
		t.Fatalf("tags set by a process that ended: %d events tagged in the index, want %s", len(res.Events), evs[0].ID)
	}
	if p, err := c.store.IndexPending(); err != nil || len(p) != 0 {
		t.Fatalf("still noted stale: %v %v", p, err)
	}
	// A note whose count moved after it was listed stays.
	if _, err := c.Tag(evs[1].ID, "later", false); err != nil {
		t.Fatal(err)
	}
	c.store.SetTag(evs[1].ID, "x", false) // noted again, not written: n = 1
	p, _ := c.store.IndexPending()
	c.store.SetTag(evs[1].ID, "y", false) // n = 2
	if err := c.store.IndexWritten(p[0]); err != nil {
		t.Fatal(err)
	}
	if q, _ := c.store.IndexPending(); len(q) != 1 || q[0].N != 2 {
		t.Fatalf("a change after the listing was forgotten: %v", q)
	}
}

// A report or export opens the search index only for a query with words:
// opening it starts Bleve's merger, which would take up a merge an import
// left due. A query of fields alone leaves it closed (here: not even
// rebuilt); one with words opens it, catches it up, and finds the same.
func TestStreamingOpensIndexForWordsOnly(t *testing.T) {
	words := audit.Query{Text: "repo"}
	var want []string
	caseDir, events := githubCaseWithoutIndex(t, func(c *Case) {
		if err := c.Scan(words, func(ev *audit.Event) error { want = append(want, ev.ID); return nil }); err != nil || len(want) == 0 {
			t.Fatal(err, len(want))
		}
	})
	c, err := OpenForStreaming(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := 0
	if err := c.Scan(audit.Query{Text: "+category:access", From: time.Unix(0, 1)}, func(*audit.Event) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := c.Scan(audit.Query{}, func(*audit.Event) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(caseDir, "index")); !os.IsNotExist(err) || c.index != nil || n < events {
		t.Fatalf("fields alone: index open %v, on disk %v, %d events", c.index != nil, err, n)
	}
	var got []string
	if err := c.Scan(words, func(ev *audit.Event) error { got = append(got, ev.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if c.index == nil || c.caughtUp.Load() != int64(events) || !slices.Equal(got, want) {
		t.Fatalf("words: index open %v, caught up %d of %d, %d events, want %d", c.index != nil, c.caughtUp.Load(), events, len(got), len(want))
	}
}

// openReference is openTemp of a case whose search index answers the
// database's fields itself too (referenceIndexes), for answers(…, true).
func openReference(t *testing.T) *Case {
	t.Helper()
	referenceIndexes = true
	defer func() { referenceIndexes = false }()
	return openTemp(t)
}
