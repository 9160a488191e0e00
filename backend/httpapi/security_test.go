package httpapi

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// post sends a change as the UI does (with its X-Auditlens header).
func post(url, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Auditlens", "1")
	return http.DefaultClient.Do(req)
}

func do(t *testing.T, method, url string, headers map[string]string, host string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(`{"paths": ["/etc"]}`))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if host != "" {
		req.Host = host
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// A page of another site can neither read (no CORS, Host checked against
// DNS rebinding) nor change (no cross-site form posts) a local case.
func TestCrossSiteRequestsRefused(t *testing.T) {
	srv, _ := newTestServer(t, "")
	json := map[string]string{"Content-Type": "application/json"}
	if r := do(t, "POST", srv.URL+"/api/imports", json, ""); r.StatusCode != 403 {
		t.Errorf("a post without the UI's header: %d, want 403", r.StatusCode)
	}
	if r := do(t, "POST", srv.URL+"/api/imports", map[string]string{"X-Auditlens": "1", "Origin": "http://evil.example"}, ""); r.StatusCode != 403 {
		t.Errorf("a post from another origin: %d, want 403", r.StatusCode)
	}
	if r := do(t, "GET", srv.URL+"/api/search", nil, "evil.example:7780"); r.StatusCode != 403 {
		t.Errorf("a rebound Host: %d, want 403", r.StatusCode)
	}
	r := do(t, "OPTIONS", srv.URL+"/api/imports", map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}, "")
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a CORS preflight was granted")
	}
	if r := do(t, "GET", srv.URL+"/api/search", nil, "localhost:7780"); r.StatusCode != 200 {
		t.Errorf("localhost: %d", r.StatusCode)
	}
	if r := do(t, "POST", srv.URL+"/api/imports", map[string]string{"X-Auditlens": "1", "Content-Type": "application/json", "Origin": srv.URL}, ""); r.StatusCode != 202 {
		t.Errorf("the UI's own post: %d, want 202", r.StatusCode)
	}
}

// A server opened to others (with a token) reads no paths of its machine
// and writes reports only inside the case.
func TestTokenServerTakesNoPaths(t *testing.T) {
	srv, _ := newTestServer(t, "s3cret")
	h := map[string]string{"X-Auditlens": "1", "Content-Type": "application/json", "Authorization": "Bearer s3cret"}
	if r := do(t, "POST", srv.URL+"/api/imports", h, ""); r.StatusCode != 403 {
		t.Errorf("a server path on a shared server: %d, want 403", r.StatusCode)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/api/reports", strings.NewReader(`{"q":"","path":"/tmp/x.xlsx"}`))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 403 {
		t.Errorf("a report path on a shared server: %v %d, want 403", err, res.StatusCode)
	}
}

// No page of another site may frame the screen, and no folder of the
// embedded assets is listed.
func TestNoFramingNoListing(t *testing.T) {
	srv, _ := newTestServer(t, "")
	r := do(t, "GET", srv.URL+"/", nil, "")
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || r.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("framing allowed: CSP %q, X-Frame-Options %q", csp, r.Header.Get("X-Frame-Options"))
	}
	if r.StatusCode != 200 {
		t.Errorf("the screen: %d", r.StatusCode)
	}
	for _, p := range []string{"/assets/", "/assets"} {
		if r := do(t, "GET", srv.URL+p, nil, ""); r.StatusCode != 404 && r.StatusCode != 301 {
			t.Errorf("%s: %d, want no listing", p, r.StatusCode)
		}
	}
	if r := do(t, "GET", srv.URL+"/assets/app.js", nil, ""); r.StatusCode != 200 {
		t.Errorf("an asset: %d", r.StatusCode)
	}
}
