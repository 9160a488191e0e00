package service

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/demo"
	"auditlens/backend/search"
)

// holdRebuilds makes every rebuild wait, once it has indexed every event,
// until the returned release is called (or its case is closed: then it
// fails).
func holdRebuilds(t *testing.T) (release func()) {
	held := make(chan struct{})
	rebuildCaughtUp = func(ctx context.Context) error {
		select {
		case <-held:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	t.Cleanup(func() { rebuildCaughtUp = func(context.Context) error { return nil } })
	return func() { close(held) }
}

// progress waits until c's rebuild has indexed every event.
func progress(t *testing.T, c *Case, events int) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); c.caughtUp.Load() < int64(events); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the rebuild indexed %d of %d events in a minute", c.caughtUp.Load(), events)
		}
	}
}

func ids(t *testing.T, c *Case, text string) []string {
	t.Helper()
	var out []string
	if err := c.Scan(audit.Query{Text: text}, func(ev *audit.Event) error { out = append(out, ev.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// A case served while its index is rebuilt opens at once: fields are
// answered by the database, words say how far the rebuild is, a tag set
// after the rebuild read its event still reaches the index, an import
// waits for the rebuild; then words find what they found before.
func TestRebuildInBackground(t *testing.T) {
	var want []string
	caseDir, events := githubCaseWithoutIndex(t, func(c *Case) { want = ids(t, c, "repo") })
	release := holdRebuilds(t)
	c, err := OpenServing(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if res := mustSearch(t, c, audit.Query{Text: "+format:github.audit", Limit: 5}); res.Total != uint64(events) || len(res.Events) != 5 {
		t.Fatalf("fields during the rebuild: %d events, %d on the page", res.Total, len(res.Events))
	}
	progress(t, c, events)
	_, err = c.Search(audit.Query{Text: "repo"})
	if audit.ErrorCode(err) != audit.ECONFLICT || !strings.Contains(err.Error(), fmt.Sprintf("being brought up to date (%d of %d events)", events, events)) {
		t.Fatalf("words during the rebuild: %v", err)
	}
	first := mustSearch(t, c, audit.Query{Text: "+format:github.audit", Limit: 1}).Events[0].ID
	if _, err := c.Tag(first, "starred", false); err != nil {
		t.Fatalf("a tag during the rebuild: %v", err)
	}
	imported := make(chan error, 1)
	waiting := make(chan string, 1)
	go func() {
		_, err := c.Import([]string{filepath.Join(corpus(t), "gitlab_audit")}, ImportOptions{Progress: func(p ImportProgress) {
			if p.Waiting != "" {
				waiting <- p.Waiting
			}
		}})
		imported <- err
	}()
	select {
	case err := <-imported:
		t.Fatalf("an import did not wait for the rebuild: %v", err)
	case why := <-waiting:
		if !strings.Contains(why, "search index to be brought up to date") {
			t.Fatalf("the import waits, saying %q", why)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an import waiting for the rebuild did not say so")
	}
	release()
	if err := <-imported; err != nil {
		t.Fatal(err)
	}
	if got := ids(t, c, "+repo +format:github.audit"); !slices.Equal(got, want) {
		t.Fatalf("words after the rebuild: %d events, want %d", len(got), len(want))
	}
	if got := ids(t, c, "tag:starred"); !slices.Equal(got, []string{first}) {
		t.Fatalf("the tag set during the rebuild: index finds %v, want %s", got, first)
	}
	if n := len(ids(t, c, "+administrator -format:github.audit")); n == 0 {
		t.Fatal("the import after the rebuild is not in the index")
	}
}

// A case closed while it is rebuilt leaves an index the next open
// completes, with the tags set meanwhile: the rebuild had written its
// watermark past their events.
func TestRebuildStoppedByClose(t *testing.T) {
	var want []string
	caseDir, events := githubCaseWithoutIndex(t, func(c *Case) { want = ids(t, c, "repo") })
	holdRebuilds(t)
	c, err := OpenServing(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	progress(t, c, events)
	first := mustSearch(t, c, audit.Query{Text: "+format:github.audit", Limit: 1}).Events[0].ID
	if _, err := c.Tag(first, "starred", false); err != nil {
		t.Fatalf("a tag during the rebuild: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("closing the case did not stop its rebuild")
	}
	c, err = Open(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := ids(t, c, "repo"); !slices.Equal(got, want) {
		t.Fatalf("words after the next open: %d events, want %d", len(got), len(want))
	}
	if got := ids(t, c, "tag:starred"); !slices.Equal(got, []string{first}) || c.caughtUp.Load() != 0 {
		t.Fatalf("the tag set during the rebuild: index finds %v, want %s (%d events indexed again)", got, first, c.caughtUp.Load())
	}
}

// Catching up indexes in batches, two at once, as an import does: every
// event is in the index once, the watermark is the newest event's, and words
// find what they found after the import. Twice: from nothing (the index
// removed) and from the middle (an import killed after its database commit).
func TestCatchUpInBatches(t *testing.T) {
	zip := filepath.Join(t.TempDir(), "demo.zip")
	const events = 3500 // three and a half batches
	if err := demo.WriteZip(demo.Options{Events: events, Seed: 3}, zip); err != nil {
		t.Fatal(err)
	}
	caseDir := filepath.Join(t.TempDir(), "case")
	c, err := Open(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Import([]string{zip}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	want := ids(t, c, "payments")
	newest, err := c.store.MaxSeq()
	if err != nil || len(want) == 0 {
		t.Fatal(err, len(want))
	}
	c.Close()
	for _, from := range []int64{0, 1234} {
		if from == 0 {
			if err := os.RemoveAll(filepath.Join(caseDir, "index")); err != nil {
				t.Fatal(err)
			}
		} else {
			x, _, err := search.Open(filepath.Join(caseDir, "index"), search.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := x.NewBatch().Commit(from, true); err != nil { // the watermark set back
				t.Fatal(err)
			}
			x.Close()
		}
		c, err := Open(caseDir)
		if err != nil {
			t.Fatal(err)
		}
		n, err := c.index.DocCount()
		if err != nil || n != events || c.index.Watermark() != newest || c.caughtUp.Load() != newest-from {
			t.Fatalf("from %d: %d documents, watermark %d, %d indexed (%v); want %d, %d, %d", from, n, c.index.Watermark(), c.caughtUp.Load(), err, events, newest, newest-from)
		}
		if got := ids(t, c, "payments"); !slices.Equal(got, want) {
			t.Fatalf("from %d: words find %d events, want %d", from, len(got), len(want))
		}
		c.Close()
	}
}

// A word query's timeline is the same whether the pass that finds its
// bounds kept its hits (one pass) or had too many to keep (a second pass
// counts them), and counts every match.
func TestWordTimelineKeptOrCounted(t *testing.T) {
	_, c := githubCase(t)
	defer c.Close()
	defer func(n int) { histogramKeep = n }(histogramKeep)
	q := audit.Query{Text: "repo"}
	total := mustSearch(t, c, q).Total
	var got []string
	for _, keep := range []int{1 << 20, 0} {
		histogramKeep = keep
		for _, stack := range []string{"category", "outcome"} {
			h, err := c.Histogram(q, stack, 60)
			if err != nil {
				t.Fatal(err)
			}
			if h.Total != total || total == 0 {
				t.Fatalf("keep %d, %s: the timeline counts %d of %d matches", keep, stack, h.Total, total)
			}
			j, _ := json.Marshal(h)
			got = append(got, string(j))
		}
	}
	if got[0] != got[2] || got[1] != got[3] {
		t.Fatalf("kept:\n%s\n%s\ncounted again:\n%s\n%s", got[0], got[1], got[2], got[3])
	}
}
