package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/search"
	"auditlens/backend/service"
)

func postJSON(t *testing.T, url string, body any, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	res, err := post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// Tags are facets and searchable; notes and saved searches are kept; all of
// it is in the activity log.
func TestTagsNotesSavedSearches(t *testing.T) {
	srv, _ := newTestServer(t, "")
	var res service.SearchResult
	getJSON(t, srv.URL+"/api/search?q=bob", &res)
	id := res.Events[0].ID
	var ev map[string]any
	if code := postJSON(t, srv.URL+"/api/events/"+id+"/tags", map[string]any{"tag": "Suspicious"}, &ev); code != 200 {
		t.Fatalf("tag: %d %v", code, ev)
	}
	postJSON(t, srv.URL+"/api/events/"+id+"/tags", map[string]any{"tag": "starred"}, nil)
	if code := postJSON(t, srv.URL+"/api/events/"+id+"/tags", map[string]any{"tag": "two words"}, nil); code != 400 {
		t.Fatalf("a bad tag: %d", code)
	}
	getJSON(t, srv.URL+"/api/search?q="+url.QueryEscape("tag:suspicious"), &res)
	if res.Total != 1 || res.Events[0].ID != id || len(res.Events[0].Tags) != 2 {
		t.Fatalf("tag:suspicious found %d events %+v", res.Total, res.Events)
	}
	var facets []search.Facet
	getJSON(t, srv.URL+"/api/facets", &facets)
	if facets[0].Field != "tag" || len(facets[0].Top) != 2 {
		t.Fatalf("tag facet: %+v", facets[0])
	}
	postJSON(t, srv.URL+"/api/events/"+id+"/tags", map[string]any{"tag": "suspicious", "remove": true}, nil)
	getJSON(t, srv.URL+"/api/search?q="+url.QueryEscape("tag:suspicious"), &res)
	if res.Total != 0 {
		t.Fatal("the removed tag still finds the event")
	}
	if code := postJSON(t, srv.URL+"/api/events/"+id+"/notes", map[string]string{"text": "seen in the VPN logs too"}, nil); code != 201 {
		t.Fatalf("note: %d", code)
	}
	var full struct {
		Notes []struct{ Text string } `json:"notes"`
	}
	getJSON(t, srv.URL+"/api/events/"+id, &full)
	if len(full.Notes) != 1 || full.Notes[0].Text != "seen in the VPN logs too" {
		t.Fatalf("notes: %+v", full)
	}
	// A search's events (and so exports and reports) carry each note with
	// its id and time, and a note whole whatever it holds.
	postJSON(t, srv.URL+"/api/events/"+id+"/notes", map[string]string{"text": "two\x1eparts\x1f"}, nil)
	getJSON(t, srv.URL+"/api/search?q=bob", &res)
	var notes []audit.Note
	for _, ev := range res.Events {
		if ev.ID == id {
			notes = ev.Notes
		}
	}
	if len(notes) != 2 {
		t.Fatalf("a search's notes: %+v", notes)
	}
	for i, n := range notes {
		if n.ID == 0 || time.Since(n.At) > time.Minute || n.Text != []string{"seen in the VPN logs too", "two\x1eparts\x1f"}[i] {
			t.Errorf("a search's note %d: %+v", i, n)
		}
	}
	if code := postJSON(t, srv.URL+"/api/saved", map[string]string{"name": "bob's failures", "q": "actor.name:bob +outcome:failure"}, nil); code != 201 {
		t.Fatalf("save: %d", code)
	}
	var saved []map[string]string
	getJSON(t, srv.URL+"/api/saved", &saved)
	if len(saved) != 1 || saved[0]["q"] != "actor.name:bob +outcome:failure" {
		t.Fatalf("saved: %v", saved)
	}
	req, _ := http.NewRequest("DELETE", srv.URL+"/api/saved/"+url.PathEscape("bob's failures"), nil)
	req.Header.Set("X-Auditlens", "1")
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 200 {
		t.Fatalf("delete: %v", err)
	}
	var log struct {
		Intact  bool
		Entries []struct{ Kind string }
	}
	getJSON(t, srv.URL+"/api/activity", &log)
	kinds := map[string]int{}
	for _, e := range log.Entries {
		kinds[e.Kind]++
	}
	if !log.Intact || kinds["tag.added"] != 2 || kinds["tag.removed"] != 1 || kinds["note.added"] != 2 || kinds["search.saved"] != 1 || kinds["search.deleted"] != 1 {
		t.Fatalf("activity: intact %v, kinds %v", log.Intact, kinds)
	}
}
