package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"auditlens/backend/demo"
	"auditlens/backend/search"
	"auditlens/backend/service"
)

// demoServer serves a case holding a small demo trail.
func demoServer(t *testing.T) (*httptest.Server, *service.Case) {
	t.Helper()
	dir := t.TempDir()
	zip := filepath.Join(dir, "demo.zip")
	if err := demo.WriteZip(demo.Options{Events: 3000, Seed: 3}, zip); err != nil {
		t.Fatal(err)
	}
	c, err := service.Open(filepath.Join(dir, "case"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Import([]string{zip}, service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(c, fstest.MapFS{}, ""))
	t.Cleanup(srv.Close)
	return srv, c
}

func TestFacetsAndHistogram(t *testing.T) {
	srv, _ := demoServer(t)
	var facets []search.Facet
	if code := getJSON(t, srv.URL+"/api/facets?q=", &facets); code != 200 || len(facets) != len(search.FacetFields) {
		t.Fatalf("facets: %d %+v", code, facets)
	}
	byField := map[string]search.Facet{}
	for _, f := range facets {
		byField[f.Field] = f
	}
	if top := byField["category"].Top; len(top) == 0 || top[0].Value != "alert" {
		t.Fatalf("the demo is mostly alerts: %+v", top)
	}
	// actor labels come back spelled as recorded (the index keeps them lower-case)
	found := false
	for _, a := range byField["action"].Top {
		if a.Value == "alert.created" {
			found = true
		}
	}
	if !found {
		t.Fatalf("actions: %+v", byField["action"].Top)
	}
	// a facet value filters: its count is the total of that query
	first := byField["actor.label"].Top[0]
	var res service.SearchResult
	getJSON(t, srv.URL+"/api/search?limit=1&q="+url.QueryEscape(`+actor.label:"`+first.Value+`"`), &res)
	if int(res.Total) != first.Count {
		t.Fatalf("facet %q counts %d, its query finds %d", first.Value, first.Count, res.Total)
	}

	var h service.Histogram
	if code := getJSON(t, srv.URL+"/api/histogram?q=&buckets=60", &h); code != 200 {
		t.Fatalf("histogram: %d", code)
	}
	if h.Total != 3000 || len(h.Edges) < 2 || len(h.Edges) > 61 || h.Bucket == "" {
		t.Fatalf("histogram over everything: total %d, %d edges, bucket %s", h.Total, len(h.Edges), h.Bucket)
	}
	// zoom: a two-day range gets hour-sized buckets and counts only inside it
	from, to := h.Edges[len(h.Edges)/2], h.Edges[len(h.Edges)/2].Add(48*time.Hour)
	var z service.Histogram
	getJSON(t, srv.URL+"/api/histogram?stack=outcome&from="+from.Format(time.RFC3339)+"&to="+to.Format(time.RFC3339), &z)
	var inRange service.SearchResult
	getJSON(t, srv.URL+"/api/search?limit=1&from="+from.Format(time.RFC3339)+"&to="+to.Format(time.RFC3339), &inRange)
	if z.Bucket != "1h" || z.Total != inRange.Total {
		t.Fatalf("zoomed: bucket %s total %d, want 1h and %d", z.Bucket, z.Total, inRange.Total)
	}
	if _, ok := z.Series["success"]; !ok {
		t.Fatalf("stacked by outcome: %v", z.Series)
	}
}

func TestAroundHistoryCompare(t *testing.T) {
	srv, _ := demoServer(t)
	var res service.SearchResult
	getJSON(t, srv.URL+"/api/search?limit=1&q="+url.QueryEscape("+action:escalation_policy.updated"), &res)
	if len(res.Events) == 0 {
		t.Fatal("no policy update in the demo")
	}
	ev := res.Events[0]
	var around service.SearchResult
	getJSON(t, srv.URL+"/api/events/"+ev.ID+"/around?by=actor", &around)
	if around.Total == 0 {
		t.Fatal("nothing around an event, not even itself")
	}
	for _, e := range around.Events {
		if e.Actor.Label() != ev.Actor.Label() || e.Time.Sub(ev.Time).Abs() > 15*time.Minute {
			t.Fatalf("around by actor returned %s at %s", e.Actor.Label(), e.Time)
		}
	}
	var session service.SearchResult
	if code := getJSON(t, srv.URL+"/api/events/"+ev.ID+"/around?by=session", &session); code != 200 || session.Total == 0 {
		t.Fatalf("around by session: %d", code)
	}
	for _, e := range session.Events {
		if e.Session != ev.Session {
			t.Fatalf("session %s != %s", e.Session, ev.Session)
		}
	}
	// The demo's request ids are each one event's.
	var request service.SearchResult
	if code := getJSON(t, srv.URL+"/api/events/"+ev.ID+"/around?by=request", &request); code != 200 || request.Total != 1 ||
		len(request.Events) != 1 || request.Events[0].ID != ev.ID || ev.Request == "" {
		t.Fatalf("around by request: %d, %+v", code, request)
	}
	// the policy's history: oldest first, each change chaining from the one before
	target := ev.Targets[0]
	var hist []service.HistoryEntry
	getJSON(t, srv.URL+"/api/history?type="+url.QueryEscape(target.Type)+"&id="+url.QueryEscape(target.ID), &hist)
	if len(hist) < 2 {
		t.Fatalf("history of %s: %d entries", target.ID, len(hist))
	}
	if hist[0].Event.Action != "escalation_policy.created" {
		t.Fatalf("history starts with %s, want the creation", hist[0].Event.Action)
	}
	for i := 1; i < len(hist); i++ {
		if hist[i].Event.Time.Before(hist[i-1].Event.Time) {
			t.Fatal("history not oldest first")
		}
		if hist[i].Event.Targets[0].ID != target.ID {
			t.Fatalf("history entry for another target: %+v", hist[i].Event.Targets)
		}
	}
	// A history carries what changed, not the raw records (the view shows
	// none): each would cost its block's decoding.
	for _, h := range hist {
		if len(h.Event.Raw) != 0 || h.Event.RawSHA256 == "" || h.Event.Actor.Label() == "" {
			t.Fatalf("history entry %s: raw %q, hash %q, actor %+v", h.Event.ID, h.Event.Raw, h.Event.RawSHA256, h.Event.Actor)
		}
	}
	var cmp struct {
		Changes []map[string]any `json:"changes"`
	}
	if code := getJSON(t, srv.URL+"/api/compare?a="+hist[0].Event.ID+"&b="+hist[1].Event.ID, &cmp); code != 200 || len(cmp.Changes) == 0 {
		t.Fatalf("compare: %d %v", code, cmp)
	}
}

func TestImportUploadWithProgress(t *testing.T) {
	srv, c := newTestServer(t, "")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("files", "../../etc/evil name.ndjson")
	fw.Write([]byte(`{"time":"2026-02-01T00:00:00Z","user":"carol","action":"upload.test"}` + "\n" + `{"broken` + "\n"))
	mw.Close()
	res, err := post(srv.URL+"/api/imports", mw.FormDataContentType(), &body)
	if err != nil || res.StatusCode != 202 {
		t.Fatalf("start: %v %d", err, res.StatusCode)
	}
	var job service.ImportJob
	json.NewDecoder(res.Body).Decode(&job)
	deadline := time.Now().Add(10 * time.Second)
	for job.State == "running" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		getJSON(t, srv.URL+"/api/imports/"+job.ID, &job)
	}
	if job.State != "done" || job.Progress.Events != 1 || job.Progress.Rejected != 1 || job.Summary == nil {
		t.Fatalf("job: %+v", job)
	}
	src := job.Summary.Sources[0]
	if filepath.Dir(filepath.Dir(src.Path)) != filepath.Join(c.Dir, "uploads") || filepath.Base(src.Path) != "001-evil name.ndjson" {
		t.Fatalf("upload kept at %s", src.Path)
	}
	if len(src.Errors) != 1 || src.Errors[0].Line != 2 {
		t.Fatalf("rejection reasons: %+v", src.Errors)
	}
	// a server path
	res, _ = post(srv.URL+"/api/imports", "application/json", bytes.NewReader([]byte(`{"paths": ["/nonexistent/x.json"]}`)))
	json.NewDecoder(res.Body).Decode(&job)
	for job.State == "running" {
		time.Sleep(20 * time.Millisecond)
		getJSON(t, srv.URL+"/api/imports/"+job.ID, &job)
	}
	if len(job.Summary.Failures) != 1 {
		t.Fatalf("missing path: %+v", job.Summary)
	}
}

// The histogram of a query counts that query's events.
func TestHistogramOfAQuery(t *testing.T) {
	srv, _ := demoServer(t)
	q := url.QueryEscape("+action:escalation_policy.updated")
	var res service.SearchResult
	getJSON(t, srv.URL+"/api/search?limit=1&q="+q, &res)
	var h service.Histogram
	getJSON(t, srv.URL+"/api/histogram?q="+q, &h)
	if res.Total == 0 || h.Total != res.Total || len(h.Series) != 1 || h.Series["configuration"] == nil {
		t.Fatalf("histogram of a query: total %d series %v, search total %d", h.Total, h.Series, res.Total)
	}
}

// Searches, the timeline and facets keep answering while an import runs.
func TestReadingWhileWriting(t *testing.T) {
	srv, c := newTestServer(t, "")
	zip := filepath.Join(t.TempDir(), "big.zip")
	if err := demo.WriteZip(demo.Options{Events: 30000, Seed: 4}, zip); err != nil {
		t.Fatal(err)
	}
	job := c.StartImport([]string{zip}, "")
	answered, grew := 0, false
	var last uint64
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		j, _ := c.Job(job.ID)
		if j.State != "running" {
			break
		}
		var res service.SearchResult
		var h service.Histogram
		var f []search.Facet
		if getJSON(t, srv.URL+"/api/search?limit=50", &res) != 200 || getJSON(t, srv.URL+"/api/histogram", &h) != 200 ||
			getJSON(t, srv.URL+"/api/facets", &f) != 200 {
			t.Fatal("a read failed during the import")
		}
		answered++
		if last > 0 && res.Total > last {
			grew = true // the view sees the events arrive
		}
		last = res.Total
		time.Sleep(100 * time.Millisecond)
	}
	if answered < 3 || !grew {
		t.Fatalf("%d reads answered during the import; the total grew: %v", answered, grew)
	}
}

// The event list asks for its pages with raw=0: the same events, totals and
// cursors as a search, without the raw records it does not show. The words
// path and the database's path both.
func TestListPagesWithoutRaw(t *testing.T) {
	srv, _ := demoServer(t)
	for _, q := range []string{"", "+action:alert.created", "payments", `"queue depth"`, "escalation -category:alert"} {
		base := srv.URL + "/api/search?limit=40&q=" + url.QueryEscape(q)
		var full, list service.SearchResult
		if getJSON(t, base, &full) != 200 || getJSON(t, base+"&raw=0", &list) != 200 {
			t.Fatalf("%q: a page failed", q)
		}
		if len(full.Events) == 0 || list.Total != full.Total || list.Next != full.Next || len(list.Events) != len(full.Events) {
			t.Fatalf("%q: list total %d next %q (%d events), search total %d next %q (%d events)",
				q, list.Total, list.Next, len(list.Events), full.Total, full.Next, len(full.Events))
		}
		for i, ev := range list.Events {
			if len(ev.Raw) != 0 || len(full.Events[i].Raw) == 0 {
				t.Fatalf("%q: event %s has raw %d bytes in the list, %d in the search", q, ev.ID, len(ev.Raw), len(full.Events[i].Raw))
			}
			full.Events[i].Raw = nil
			a, _ := json.Marshal(ev)
			b, _ := json.Marshal(full.Events[i])
			if !bytes.Equal(a, b) {
				t.Fatalf("%q: the list's event differs beyond its raw record:\n%s\n%s", q, a, b)
			}
		}
	}
	var res, around service.SearchResult
	getJSON(t, srv.URL+"/api/search?limit=1&q="+url.QueryEscape("+action:user.login"), &res)
	if getJSON(t, srv.URL+"/api/events/"+res.Events[0].ID+"/around?by=actor", &around) != 200 || len(around.Events) == 0 {
		t.Fatalf("around: %+v", around)
	}
	for _, ev := range around.Events {
		if len(ev.Raw) != 0 || ev.RawSHA256 == "" {
			t.Fatalf("around, a list too: event %s raw %q hash %q", ev.ID, ev.Raw, ev.RawSHA256)
		}
	}
}

// The timeline's buckets are the days (and hours) of the zone it is shown
// in: an event at 23:59:59.999 in New York is on that day, not the next
// UTC one, and the day the clocks go back has 25 hours.
func TestHistogramInAZone(t *testing.T) {
	var b strings.Builder
	for _, at := range []string{"2025-11-02T03:59:59.999Z", "2025-11-02T00:00:00-04:00", "2025-11-02T01:30:00-04:00",
		"2025-11-02T01:30:00-05:00", "2025-11-03T04:59:59.999Z", "2025-11-03T05:00:00Z"} {
		fmt.Fprintf(&b, `{"time":%q,"user":"x","action":"dst.n"}`+"\n", at)
	}
	srv, _ := serverOf(t, "", b.String())
	get := func(tz string) service.Histogram {
		var h service.Histogram
		if code := getJSON(t, srv.URL+"/api/histogram?from=2025-10-20T00:00:00Z&to=2026-01-05T00:00:00Z&tz="+url.QueryEscape(tz), &h); code != 200 {
			t.Fatalf("tz %s: %d", tz, code)
		}
		return h
	}
	ny, _ := time.LoadLocation("America/New_York")
	h := get("America/New_York")
	counts := map[string]int{}
	for i := 0; i+1 < len(h.Edges); i++ {
		n := 0
		for _, s := range h.Series {
			n += s[i]
		}
		start, end := h.Edges[i].In(ny), h.Edges[i+1].In(ny)
		if h.Bucket == "1d" && (start.Hour() != 0 || start.Minute() != 0 || end.Hour() != 0) {
			t.Fatalf("a day bucket from %s to %s", start, end)
		}
		if n > 0 {
			counts[start.Format("2006-01-02")+" "+end.Sub(start).String()] = n
		}
	}
	want := map[string]int{"2025-11-01 24h0m0s": 1, "2025-11-02 25h0m0s": 4, "2025-11-03 24h0m0s": 1}
	if h.Bucket != "1d" || h.Zone != "America/New_York" || !maps.Equal(counts, want) {
		t.Errorf("New York's days: %s buckets in %s, %v, want %v", h.Bucket, h.Zone, counts, want)
	}
	if utc := get("UTC"); utc.Edges[0].Hour() != 0 || utc.Zone != "UTC" {
		t.Errorf("UTC's days begin at %s", utc.Edges[0])
	}
	var e map[string]string
	if code := getJSON(t, srv.URL+"/api/histogram?tz=Not/AZone", &e); code != 400 || !strings.Contains(e["error"], "unknown time zone") {
		t.Errorf("an unknown zone: %d %v", code, e)
	}
}
