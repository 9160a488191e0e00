package httpapi

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A query's events download as CSV or NDJSON, as the command line exports
// them; a bad format or query is said before the body begins.
func TestExportDownload(t *testing.T) {
	srv, _ := newTestServer(t, "")
	res, err := http.Get(srv.URL + "/api/export?format=csv&q=" + url.QueryEscape("+outcome:failure"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || len(rows) != 2 || rows[0][1] != "time" || !strings.Contains(strings.Join(rows[1], ","), "bob") {
		t.Fatalf("csv: %d %v %q", res.StatusCode, err, rows)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="auditlens-export-`) || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	res, _ = http.Get(srv.URL + "/api/export?format=ndjson")
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 2 || !strings.Contains(lines[1], `"<img src=x onerror=alert(1)>"`) {
		t.Fatalf("ndjson: %s", b)
	}
	for _, q := range []string{"format=xml", "format=csv&q=" + url.QueryEscape("NOT bob")} {
		var e map[string]string
		if code := getJSON(t, srv.URL+"/api/export?"+q, &e); code != 400 || e["error"] == "" {
			t.Errorf("%s: %d %v", q, code, e)
		}
	}
}

// The window saves an export where its dialog chose (a POST, path given);
// a server for others writes no file of its machine.
func TestExportToPath(t *testing.T) {
	srv, _ := newTestServer(t, "")
	path := filepath.Join(t.TempDir(), "out.ndjson")
	req, _ := http.NewRequest("POST", srv.URL+"/api/export?format=ndjson&path="+url.QueryEscape(path), nil)
	req.Header.Set("X-Auditlens", "1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Events int    `json:"events"`
		Path   string `json:"path"`
	}
	json.NewDecoder(res.Body).Decode(&got)
	res.Body.Close()
	b, _ := os.ReadFile(path)
	if res.StatusCode != 200 || got.Events != 2 || got.Path != path || strings.Count(string(b), "\n") != 2 {
		t.Fatalf("%d %+v, the file: %q", res.StatusCode, got, b)
	}
	// a page of another site cannot make a browser write files by a GET
	res, _ = http.Get(srv.URL + "/api/export?format=csv&path=" + url.QueryEscape(path+".csv"))
	res.Body.Close()
	if _, err := os.Stat(path + ".csv"); err == nil {
		t.Error("a GET wrote a file")
	}
	shared, _ := newTestServer(t, "s3cret-s3cret-s3cret")
	req, _ = http.NewRequest("POST", shared.URL+"/api/export?format=csv&path="+url.QueryEscape(path+".shared"), nil)
	req.Header.Set("X-Auditlens", "1")
	req.Header.Set("Authorization", "Bearer s3cret-s3cret-s3cret")
	res, err = http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 403 {
		t.Errorf("a path on a shared server: %v %d, want 403", err, res.StatusCode)
	}
	if _, err := os.Stat(path + ".shared"); err == nil {
		t.Error("a shared server wrote a file")
	}
}

// Another site cannot cause a download (it would be logged); what the
// screen downloads is logged with the hash of the bytes sent, and a HEAD
// request exports and logs nothing.
func TestExportLoggedAndSameSiteOnly(t *testing.T) {
	srv, c := newTestServer(t, "")
	get := func(method, site string) (*http.Response, []byte) {
		req, _ := http.NewRequest(method, srv.URL+"/api/export?format=ndjson&q=bob", nil)
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, b
	}
	entries := func() int {
		es, brk, err := c.ActivityLog()
		if err != nil || brk != nil {
			t.Fatal(err, brk)
		}
		return len(es)
	}
	before := entries()
	for _, site := range []string{"cross-site", "same-site"} {
		if res, _ := get("GET", site); res.StatusCode != 403 {
			t.Errorf("from a %s page: %d, want 403", site, res.StatusCode)
		}
	}
	if res, _ := get("HEAD", "same-origin"); res.StatusCode != 200 {
		t.Errorf("HEAD: %d", res.StatusCode)
	}
	if n := entries(); n != before {
		t.Fatalf("%d entries logged by refused or HEAD requests", n-before)
	}
	res, body := get("GET", "same-origin")
	es, _, _ := c.ActivityLog()
	sum := sha256.Sum256(body)
	last := string(es[len(es)-1].Detail)
	if res.StatusCode != 200 || len(es) != before+1 || !strings.Contains(last, hex.EncodeToString(sum[:])) || !strings.Contains(last, `"events":1`) {
		t.Fatalf("%d, %d entries, the last %s", res.StatusCode, len(es)-before, last)
	}
}

// The API reads a range's bounds as the command line does: a date is a
// day (an end date includes it); anything else is refused in words.
func TestRangeBoundsAsTheCommandLine(t *testing.T) {
	srv, _ := newTestServer(t, "")
	for q, want := range map[string]int{"from=2026-01-02": 1, "to=2026-01-01": 1, "from=2026-01-01&to=2026-01-02": 2,
		"from=2026-01-02T10:00:00Z": 1, "to=2025-12-31": 0} {
		var res struct{ Total int }
		if code := getJSON(t, srv.URL+"/api/search?"+q, &res); code != 200 || res.Total != want {
			t.Errorf("%s: %d, %d events, want %d", q, code, res.Total, want)
		}
	}
	var e map[string]string
	if code := getJSON(t, srv.URL+"/api/search?from=garbage", &e); code != 400 || !strings.Contains(e["error"], "is not a time") {
		t.Errorf("from=garbage: %d %v", code, e)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/api/saved", strings.NewReader(`{"name":"..","q":""}`))
	req.Header.Set("X-Auditlens", "1")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 400 {
		t.Errorf("a saved search named '..': %v %d", err, res.StatusCode)
	}
}
