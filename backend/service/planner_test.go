package service

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/demo"
	"auditlens/backend/search"
	"auditlens/backend/store"
)

// structuredQueries name only fields the database keeps, so the database
// answers them; each is also run within an awkward time range.
var structuredQueries = []string{
	``, `*`,
	`actor.email:mila.krueger@acme.io`, `actor.email:MILA.Krueger@ACME.io`,
	`format:github.audit`, `+format:github.audit`, `format:github.*`,
	`action:escalation_policy.*`, `action:Escalation_Policy.*`, `action:/user\.(login|logout)/`, `action:user.log?n`,
	`outcome:failure`, `-outcome:success`, `+category:access -outcome:failure`, `category:alert category:access`,
	`category:alert category:access -outcome:success`, `+category:change +outcome:success +action:user.*`,
	`ip:185.220.101.*`, `ip:*`, `actor.label:*`, `-actor.label:*`, `source:*`, `action:ConsoleLogin`,
	`action:does.not.exist`, `+action:does.not.exist +outcome:failure`, `-action:does.not.exist`,
	`+actor.email:anton.dubois@acme.io +action:user.login`, `actor.label:"Anton Dubois"`, `category:alert^2`,
	`category:alert outcome:failure`, `+category:alert outcome:failure`, `-actor.label:ilert`, `action:user.login actor.label:ilert -outcome:success`,
}

// The database answers structured queries with exactly what the search
// index answers: the same events in the same order on every page, the same
// totals, facets (values, counts, spellings) and timelines.
func TestDatabaseAnswersAsTheIndex(t *testing.T) {
	dir := t.TempDir()
	trail := filepath.Join(dir, "demo.ndjson")
	f, err := os.Create(trail)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Generate(demo.Options{Events: 4000, Seed: 7, Days: 12}, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	paths := []string{trail, corpus(t)} // (its counts of hits below are the corpus's)
	// c answers as the service does; ref, the same events, as the index
	// alone (its documents hold the database's fields too).
	// cold answers the words beside fields before any other query reads
	// its columns.
	c, ref, cold := openTemp(t), openReference(t), openTemp(t)
	var first *SearchResult
	for _, c := range []*Case{c, ref, cold} {
		if _, err := c.Import(paths, ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		first = mustSearch(t, c, audit.Query{Limit: 3})
		for _, e := range first.Events {
			if _, err := c.Tag(e.ID, "Starred", false); err != nil {
				t.Fatal(err)
			}
		}
	}
	newest := first.Events[0].Time
	ranges := [][2]time.Time{
		{},
		{newest.Add(-97*time.Hour - 17*time.Minute - 3*time.Second), newest.Add(-5*time.Hour + 11*time.Minute)},
		{newest.Add(-40 * time.Minute), time.Time{}},
		{time.Time{}, newest.Add(-200 * time.Hour)},
	}
	// Words, and fields the database does not keep, stay the index's.
	words := []string{`payments`, `"Payments primary"`, `targets.id:x`, `session:abc`, `tag:starred`, `actor.email:a~1`,
		`payments -outcome:success`, `+payments +category:alert`, `login`, `root`, `delete*`, `nosuchwordanywhere`,
		// Words beside fields the database keeps, stop words, a union.
		`acme -actor.label:ilert`, `+payments category:alert -outcome:failure`, `login -outcome:failure -payments`,
		`+the +category:alert payments`, `payments category:alert`, `+acme +action:incident.* -outcome:success`}
	for _, text := range append(words, `time:>2020-01-01`) {
		if _, ok := search.Structured(audit.Query{Text: text}); ok {
			t.Errorf("%q: answered by the database, it needs the index", text)
		}
	}
	words = append(words, `+payments +time:<"`+newest.Add(-30*time.Hour).Format(time.RFC3339)+`"`, `login time:>"`+newest.Add(-2*time.Hour).Format(time.RFC3339)+`"`)
	// Until the columns are read (the command line), a word query's pages
	// and scans are kept and ordered by the times the index hands with its
	// hits (store.Hits.Keys); they are the index's own. The words alone
	// read no columns; a term on a field the database keeps does.
	byFields := func(text string) bool {
		for _, f := range store.TermFields {
			if strings.Contains(text, f+":") {
				return true
			}
		}
		return false
	}
	for _, c := range []*Case{c, cold} {
		fields := c == cold
		for _, text := range words {
			if byFields(text) != fields {
				continue
			}
			for _, r := range ranges {
				q := audit.Query{Text: text, From: r[0], To: r[1]}
				if bySeq, ix := listed(t, c, q, false), listed(t, ref, q, true); bySeq != ix {
					t.Fatalf("%q %v (columns unread): pages or scans differ:\nby seq %s\nindex  %s", text, r, bySeq.pages, ix.pages)
				}
			}
		}
		if c.store.ColumnsRead() != fields {
			t.Fatalf("fields %v: columns read %v", fields, c.store.ColumnsRead())
		}
	}

	// Twice: the database reading rows, then, once the columns are in
	// memory (as serve reads them), counting large selections from them.
	compared := 0
	for _, warm := range []bool{false, true} {
		if warm {
			if err := c.store.WarmColumns(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		for _, text := range structuredQueries {
			if _, ok := search.Structured(audit.Query{Text: text}); !ok {
				t.Fatalf("%q: not answered by the database", text)
			}
			for _, r := range ranges {
				q := audit.Query{Text: text, From: r[0], To: r[1]}
				db, ix := answers(t, c, q, false), answers(t, ref, q, true)
				if db.pages != ix.pages {
					t.Fatalf("%q %v (columns read: %v): pages differ:\ndatabase %s\nindex    %s", text, r, warm, db.pages, ix.pages)
				}
				if db.facets != ix.facets {
					t.Fatalf("%q %v (columns read: %v): facets differ:\ndatabase %s\nindex    %s", text, r, warm, db.facets, ix.facets)
				}
				if db.histograms != ix.histograms {
					t.Fatalf("%q %v (columns read: %v): timelines differ:\ndatabase %s\nindex    %s", text, r, warm, db.histograms, ix.histograms)
				}
				if db.scan != ix.scan {
					t.Fatalf("%q %v (columns read: %v): scans differ", text, r, warm)
				}
				compared++
			}
		}
	}
	t.Logf("%d query/range pairs answered alike", compared)

	// Once the columns are read, a word query's pages, scans, facets and
	// timelines are the hits' seqs kept in the range, counted and ordered by
	// the database's columns (store.Hits), and are the index's own (its
	// ranges and its sort by each hit's stored time).
	counted := 0
	for _, text := range words {
		for _, r := range ranges {
			q := audit.Query{Text: text, From: r[0], To: r[1]}
			bySeq, ix := answers(t, c, q, false), answers(t, ref, q, true)
			if bySeq.pages != ix.pages {
				t.Fatalf("%q %v: pages differ:\nby seq %s\nindex  %s", text, r, bySeq.pages, ix.pages)
			}
			if bySeq.scan != ix.scan {
				t.Fatalf("%q %v: scans differ", text, r)
			}
			if bySeq.facets != ix.facets {
				t.Fatalf("%q %v: facets differ:\nby seq %s\nindex  %s", text, r, bySeq.facets, ix.facets)
			}
			if bySeq.histograms != ix.histograms {
				t.Fatalf("%q %v: timelines differ:\nby seq %s\nindex  %s", text, r, bySeq.histograms, ix.histograms)
			}
			facets, err := c.Facets(q, 7)
			if err != nil {
				t.Fatal(err)
			}
			if facets[1].Total > 0 {
				counted++
			}
			if text == `tag:starred` && r[0].IsZero() && r[1].IsZero() && fmt.Sprint(facets[0]) != `{tag 3 0 [{starred 3}]}` {
				t.Fatalf("%q: the tag facet is %v", text, facets[0])
			}
		}
	}
	t.Logf("%d word query/range pairs have hits", counted)
	if counted < 40 { // 43 of the 84
		t.Fatalf("only %d word query/range pairs have hits", counted)
	}
}

type answerSet struct {
	pages, facets, histograms, scan string
}

// answers collects everything a user sees of q, by the database or (index
// true) by the search index alone.
func answers(t *testing.T, c *Case, q audit.Query, index bool) answerSet {
	t.Helper()
	a := listed(t, c, q, index)
	c.indexOnly = index
	defer func() { c.indexOnly = false }()
	facets, err := c.Facets(q, 7)
	if err != nil {
		t.Fatal(err)
	}
	a.facets = fmt.Sprint(facets)
	for _, stack := range []string{"category", "outcome"} {
		for _, n := range []int{120, 9, 500} {
			h, err := c.Histogram(q, stack, n)
			if err != nil {
				t.Fatal(err)
			}
			j, _ := json.Marshal(h)
			a.histograms += string(j) + "\n"
		}
	}
	return a
}

// listed is what the list and a scan show of q: its pages, with their
// totals, and every event in a scan.
func listed(t *testing.T, c *Case, q audit.Query, index bool) answerSet {
	t.Helper()
	c.indexOnly = index
	defer func() { c.indexOnly = false }()
	var a answerSet
	var b strings.Builder
	pq := q
	pq.Limit = 113
	for {
		res := mustSearch(t, c, pq)
		fmt.Fprintf(&b, "[total %d:", res.Total)
		for _, e := range res.Events {
			b.WriteString(" " + e.ID)
		}
		b.WriteString("]")
		if res.Next == "" {
			break
		}
		pq.Cursor = res.Next
	}
	a.pages = b.String()
	b.Reset()
	if err := c.Scan(q, func(e *audit.Event) error { b.WriteString(e.ID + " "); return nil }); err != nil {
		t.Fatal(err)
	}
	a.scan = b.String()
	return a
}

// Events of one time are listed in the reverse of the order they were
// stored in (newest first, ties by seq descending), by the database and by
// the search index alike, on every page and in a scan, whichever way the
// events' ids sort.
func TestEqualTimesNewestStoredFirst(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 40; i++ {
		at := time.Date(2026, 5, 5, 8, 0, 0, 0, time.UTC).Add(time.Duration(i/5) * time.Second) // five to a time
		fmt.Fprintf(&b, `{"id":"evt_%d","timestamp":%q,"tenant":"acme","actor":{"id":"usr_1","type":"USER","name":"Quentin Weber","email":"quentin.weber@acme.io"},`+
			`"action":"user.updated","resource":{"type":"USER","id":"usr_%d","name":"Payments user"},"result":"SUCCESS","client":{"ip":"","userAgent":""},`+
			`"sessionId":"","requestId":"req_%02d","before":null,"after":{"n":%d}}`+"\n", i, at.Format(time.RFC3339Nano), i, i, i)
	}
	file := filepath.Join(t.TempDir(), "trail.ndjson")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := openReference(t)
	if sum, err := c.Import([]string{file}, ImportOptions{}); err != nil || sum.Events != 40 {
		t.Fatalf("import: %v %+v", err, sum)
	}
	var want []string // request ids: the last line of the newest time first
	for i := 39; i >= 0; i-- {
		want = append(want, fmt.Sprintf("req_%02d", i))
	}
	for _, text := range []string{``, `actor.email:quentin.weber@acme.io`, `payments`} {
		for _, index := range []bool{false, true} {
			c.indexOnly = index
			var got []string
			q := audit.Query{Text: text, Limit: 3}
			for {
				res := mustSearch(t, c, q)
				for _, e := range res.Events {
					got = append(got, e.Request)
				}
				if res.Next == "" {
					break
				}
				q.Cursor = res.Next
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("%q (index only %v), pages:\n got %v\nwant %v", text, index, got, want)
			}
			got = got[:0]
			if err := c.Scan(audit.Query{Text: text}, func(e *audit.Event) error { got = append(got, e.Request); return nil }); err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("%q (index only %v), scan:\n got %v\nwant %v", text, index, got, want)
			}
		}
	}
	c.indexOnly = false
}
