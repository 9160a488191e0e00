package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"auditlens/backend/service"
)

func newTestServer(t *testing.T, token string) (*httptest.Server, *service.Case) {
	return serverOf(t, token,
		`{"time":"2026-01-01T10:00:00Z","user":"<img src=x onerror=alert(1)>","action":"login","ip":"192.0.2.1"}`+"\n"+
			`{"time":"2026-01-02T10:00:00Z","user":"bob","action":"settings.update","ip":"192.0.2.2","outcome":"failure"}`+"\n")
}

// serverOf serves a case of the NDJSON records given.
func serverOf(t *testing.T, token, ndjson string) (*httptest.Server, *service.Case) {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "events.ndjson")
	os.WriteFile(data, []byte(ndjson), 0o644)
	c, err := service.Open(filepath.Join(dir, "case"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Import([]string{data}, service.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	assets := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>auditlens</title>")}, "assets/app.js": {Data: []byte("// the screen")}}
	api := New(c, assets, token)
	api.LocalPaths = token == "" // as serve sets it: loopback without a token
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv, c
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if v != nil {
		json.NewDecoder(res.Body).Decode(v)
	}
	return res.StatusCode
}

func TestSearchAndEvent(t *testing.T) {
	srv, _ := newTestServer(t, "")
	var res service.SearchResult
	if code := getJSON(t, srv.URL+"/api/search?q=&limit=10", &res); code != 200 || res.Total != 2 {
		t.Fatalf("search: %d %+v", code, res)
	}
	if res.Events[0].Actor.Name != "bob" || res.Events[1].Actor.Name != "<img src=x onerror=alert(1)>" {
		t.Fatalf("newest first, values as they were: %+v", res.Events)
	}
	var ev map[string]any
	if code := getJSON(t, srv.URL+"/api/events/"+res.Events[0].ID, &ev); code != 200 || ev["action"] != "settings.update" {
		t.Fatalf("event: %d %v", code, ev)
	}
	var e map[string]string
	if code := getJSON(t, srv.URL+"/api/events/nope", &e); code != 404 || e["code"] != "not_found" {
		t.Fatalf("missing event: %d %v", code, e)
	}
	if code := getJSON(t, srv.URL+"/api/search?q=%22unclosed", &e); code != 400 || !strings.Contains(e["error"], "query") {
		t.Fatalf("bad query: %d %v", code, e)
	}
	if code := getJSON(t, srv.URL+"/api/search?limit=abc", &e); code != 400 {
		t.Fatalf("bad limit: %d", code)
	}
	r, _ := http.Get(srv.URL + "/")
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 || !strings.Contains(string(body), "auditlens") || r.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("index: %d %s %v", r.StatusCode, body, r.Header)
	}
}

func TestToken(t *testing.T) {
	srv, _ := newTestServer(t, "s3cret")
	if code := getJSON(t, srv.URL+"/api/search", nil); code != 401 {
		t.Fatalf("without token: %d", code)
	}
	if code := getJSON(t, srv.URL+"/api/search?token=wrong", nil); code != 401 {
		t.Fatalf("wrong token: %d", code)
	}
	if code := getJSON(t, srv.URL+"/api/search?token=s3cret", nil); code != 200 {
		t.Fatalf("with token: %d", code)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/sources", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("bearer: %v %d", err, res.StatusCode)
	}
}
