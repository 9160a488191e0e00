package httpapi

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/report"
	"auditlens/backend/service"
)

// export writes the events of a query as CSV or NDJSON, newest first, as
// `auditlens export` does (GET /api/export?format=csv|ndjson&q&from&to): a
// browser downloads them. POST with path as well (where the window's save
// dialog chose, on a server for this machine only) writes that file, whole
// or not at all, and answers {events, path}: a change, so a POST, which a
// page of another site cannot send (ServeHTTP), where it can make a
// browser GET anything. The case's activity log records each export that
// ends.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	// A download is logged in the case's activity log, so no other site may
	// cause one (an <img> of the URL): browsers say where a request comes
	// from (Sec-Fetch-Site); a tool that does not is no page.
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		writeError(w, audit.Errorf("forbidden", "an export is asked for by the screen itself, not by another site"))
		return
	}
	q, err := query(r)
	if err != nil {
		writeError(w, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format != report.FormatCSV && format != report.FormatNDJSON {
		writeError(w, audit.Errorf(audit.EINVALID, "format %q is not an export format: use csv or ndjson", format))
		return
	}
	// A query that cannot be read is said before the body begins.
	if _, err := s.c.Search(audit.Query{Text: q.Text, From: q.From, To: q.To, Limit: 1}); err != nil {
		writeError(w, err)
		return
	}
	if r.Method == http.MethodPost {
		s.exportFile(w, r, q, format, r.URL.Query().Get("path"))
		return
	}
	name := "auditlens-export-" + time.Now().UTC().Format("20060102-150405") + "." + format
	w.Header().Set("Content-Type", map[string]string{report.FormatCSV: "text/csv; charset=utf-8", report.FormatNDJSON: "application/x-ndjson"}[format])
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if r.Method == http.MethodHead {
		return // (headers only: nothing is exported, nothing logged)
	}
	sum, counted := sha256.New(), &countingWriter{w: w}
	bw := bufio.NewWriterSize(io.MultiWriter(counted, sum), 64<<10)
	n, err := s.c.Export(r.Context(), q, format, bw)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		// The body has begun: the connection is cut, so that the browser
		// says the download failed instead of keeping part of it.
		panic(http.ErrAbortHandler)
	}
	s.c.LogDownload("export", q, name, n, hex.EncodeToString(sum.Sum(nil)), counted.n)
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (s *Server) exportFile(w http.ResponseWriter, r *http.Request, q audit.Query, format, path string) {
	if !s.LocalPaths {
		writeError(w, audit.Errorf("forbidden", "this server writes no files of its machine: download the export"))
		return
	}
	if !filepath.IsAbs(path) {
		writeError(w, audit.Errorf(audit.EINVALID, "the export path must be absolute, not %q", path))
		return
	}
	var n int
	err := service.WriteAtomic(path, func(f io.Writer) error {
		var err error
		n, err = s.c.Export(r.Context(), q, format, f)
		return err
	})
	if err == nil {
		err = s.c.LogWrite("export", q, path, n)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": n, "path": path})
}
