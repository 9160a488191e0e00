// Package httpapi serves the JSON API and the embedded frontend. The same
// handler runs behind `auditlens serve` and inside the desktop window.
package httpapi

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/ingest"
	"auditlens/backend/service"
)

// Server is the HTTP face of one case.
type Server struct {
	c     *service.Case
	token string
	mux   *http.ServeMux
	// LocalPaths lets requests name files on this machine (import a path,
	// save a report where a dialog chose): for the window and a loopback
	// serve, whose user is this machine's. A server opened to others takes
	// uploads only and writes reports inside the case.
	LocalPaths bool
}

// New returns the handler for case c serving the frontend from assets. With
// a token, every request must carry it (Authorization: Bearer, or ?token=).
func New(c *service.Case, assets fs.FS, token string) *Server {
	s := &Server{c: c, token: token, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /api/search", s.search)
	s.mux.HandleFunc("GET /api/facets", s.facets)
	s.mux.HandleFunc("GET /api/histogram", s.histogram)
	s.mux.HandleFunc("GET /api/events/{id}", s.event)
	s.mux.HandleFunc("GET /api/events/{id}/around", s.around)
	s.mux.HandleFunc("POST /api/events/{id}/tags", s.tag)
	s.mux.HandleFunc("POST /api/events/{id}/notes", s.note)
	s.mux.HandleFunc("GET /api/saved", s.savedSearches)
	s.mux.HandleFunc("POST /api/saved", s.saveSearch)
	s.mux.HandleFunc("DELETE /api/saved/{name}", s.deleteSearch)
	s.mux.HandleFunc("GET /api/activity", s.activity)
	s.mux.HandleFunc("GET /api/history", s.history)
	s.mux.HandleFunc("GET /api/compare", s.compare)
	s.mux.HandleFunc("POST /api/imports", s.startImport)
	s.mux.HandleFunc("GET /api/imports/{id}", s.importStatus)
	s.mux.HandleFunc("POST /api/imports/{id}/stop", s.stopImport)
	s.mux.HandleFunc("POST /api/demo", s.startDemo)
	s.mux.HandleFunc("POST /api/reports", s.startReport)
	s.mux.HandleFunc("GET /api/reports/{id}", s.reportStatus)
	s.mux.HandleFunc("GET /api/reports/{id}/file", s.reportFile)
	s.mux.HandleFunc("POST /api/reports/{id}/stop", s.stopReport)
	s.mux.HandleFunc("GET /api/export", s.export)
	s.mux.HandleFunc("POST /api/export", s.export)
	s.mux.HandleFunc("GET /api/sources", s.sources)
	s.mux.HandleFunc("GET /api/case", s.caseInfo)
	s.mux.HandleFunc("GET /api/formats", s.formats)
	s.mux.Handle("/", noListing(http.FileServerFS(assets)))
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// No other page may frame the screen (a click on it made over it):
	// frame-ancestors, and X-Frame-Options for browsers without it.
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if s.token == "" && !loopbackHost(r.Host) {
		// Without a token only this machine may talk to us; a page whose
		// name was rebound to 127.0.0.1 still says its own name here.
		writeError(w, audit.Errorf("forbidden", "this server answers to localhost only (Host %q)", r.Host))
		return
	}
	if s.token != "" && !s.authorized(r) {
		writeError(w, audit.Errorf("unauthorized", "a token is required: open the URL that `auditlens serve` printed"))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
		// A page of another site may send a form here but cannot set this
		// header without a CORS preflight, which we never grant.
		writeError(w, audit.Errorf("forbidden", "a change must come from the auditlens page itself"))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// loopbackHost reports whether a Host header names this machine (or the
// desktop window's own scheme host).
func loopbackHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if h == "localhost" || h == "wails" || h == "wails.localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// sameOrigin: a state-changing request carries the UI's header, and its
// Origin, when sent, is this server.
func sameOrigin(r *http.Request) bool {
	if r.Header.Get("X-Auditlens") != "1" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && (u.Host == r.Host || u.Scheme == "wails")
}

func (s *Server) authorized(r *http.Request) bool {
	got := r.URL.Query().Get("token")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		got = strings.TrimPrefix(h, "Bearer ")
	}
	if c, err := r.Cookie("auditlens_token"); err == nil && got == "" {
		got = c.Value
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

// statuses maps error codes to HTTP statuses, in one place.
var statuses = map[string]int{
	audit.EINVALID:  http.StatusBadRequest,
	audit.ENOTFOUND: http.StatusNotFound,
	audit.ECONFLICT: http.StatusConflict,
	"unauthorized":  http.StatusUnauthorized,
	"forbidden":     http.StatusForbidden,
}

func writeError(w http.ResponseWriter, err error) {
	code := audit.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	msg := err.Error()
	var ae *audit.Error
	if !errors.As(err, &ae) {
		msg = "internal error: " + msg
	}
	writeJSON(w, status, map[string]string{"code": code, "error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// query reads q, from, to, limit and cursor.
func query(r *http.Request) (audit.Query, error) {
	v := r.URL.Query()
	q := audit.Query{Text: v.Get("q"), Cursor: v.Get("cursor")}
	var err error
	if q.From, err = parseTime(v.Get("from"), false); err != nil {
		return q, err
	}
	if q.To, err = parseTime(v.Get("to"), true); err != nil {
		return q, err
	}
	if l := v.Get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil || q.Limit < 1 || q.Limit > 10000 {
			return q, audit.Errorf(audit.EINVALID, "limit must be a number from 1 to 10000")
		}
	}
	return q, nil
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q, err := query(r)
	if err != nil {
		writeError(w, err)
		return
	}
	find := s.c.Search
	if r.URL.Query().Get("raw") == "0" {
		find = s.c.List // the event list: its events without their raw records
	}
	res, err := find(q)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) facets(w http.ResponseWriter, r *http.Request) {
	q, err := query(r)
	if err != nil {
		writeError(w, err)
		return
	}
	size, _ := strconv.Atoi(r.URL.Query().Get("size"))
	res, err := s.c.Facets(q, size)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) histogram(w http.ResponseWriter, r *http.Request) {
	q, err := query(r)
	if err != nil {
		writeError(w, err)
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("buckets"))
	loc, err := zoneParam(r.URL.Query().Get("tz")) // the zone whose days and hours the buckets are (the screen's)
	if err != nil {
		writeError(w, err)
		return
	}
	res, err := s.c.HistogramIn(q, r.URL.Query().Get("stack"), n, loc)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) around(w http.ResponseWriter, r *http.Request) {
	res, err := s.c.Around(r.PathValue("id"), r.URL.Query().Get("by"), 200)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	res, err := s.c.History(v.Get("type"), v.Get("id"), v.Get("name"), 0)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	res, err := s.c.Compare(v.Get("a"), v.Get("b"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": res})
}

// parseTime reads a range's from or to (end) as the command line does.
func parseTime(s string, end bool) (time.Time, error) {
	t, ok := audit.ParseBound(s, end)
	if !ok {
		return t, audit.Errorf(audit.EINVALID, "%q is not a time: use RFC 3339 (2026-03-01T12:00:00Z) or a date (2026-03-01)", s)
	}
	return t, nil
}

func (s *Server) event(w http.ResponseWriter, r *http.Request) {
	ev, err := s.c.Event(r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ev)
}

func (s *Server) sources(w http.ResponseWriter, r *http.Request) {
	src, err := s.c.Sources()
	if err != nil {
		writeError(w, err)
		return
	}
	if src == nil {
		src = []audit.Source{}
	}
	writeJSON(w, http.StatusOK, src)
}

// caseInfo is what the screen shows of the case itself: its name, and
// whether it was opened read-only (write-protected media) and why words
// cannot be searched in it.
func (s *Server) caseInfo(w http.ResponseWriter, r *http.Request) {
	info := struct {
		Name     string `json:"name"`
		ReadOnly bool   `json:"read_only"`
		Words    string `json:"words_refused,omitempty"`
	}{Name: filepath.Base(filepath.Clean(s.c.Dir)), ReadOnly: s.c.ReadOnly()}
	if err := s.c.WordsRefused(); err != nil {
		info.Words = err.Error()
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *Server) formats(w http.ResponseWriter, r *http.Request) {
	type format struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	var out []format
	for _, f := range ingest.Formats() {
		out = append(out, format{f.Name, f.Description})
	}
	writeJSON(w, http.StatusOK, out)
}

// noListing serves files but no folder's listing (the embedded assets'
// names are nobody's business): a folder other than the root, where
// index.html is, is not found.
func noListing(files http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}
