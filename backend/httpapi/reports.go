package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/report"
)

// Version is the auditlens version written on reports (set by the CLI).
var Version = "dev"

// startReport starts an Excel report of a query: {q, from, to, tz, sheets,
// path}. path is where the window's save dialog chose; a browser leaves it
// empty and downloads the file when done.
func (s *Server) startReport(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Q      string   `json:"q"`
		From   string   `json:"from"`
		To     string   `json:"to"`
		TZ     string   `json:"tz"`
		Sheets []string `json:"sheets"`
		Path   string   `json:"path"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, audit.Errorf(audit.EINVALID, "send JSON {q, from, to, tz, sheets}: %v", err))
		return
	}
	q := audit.Query{Text: body.Q}
	var err error
	if q.From, err = parseTime(body.From, false); err != nil {
		writeError(w, err)
		return
	}
	if q.To, err = parseTime(body.To, true); err != nil {
		writeError(w, err)
		return
	}
	opts := report.Options{Version: Version}
	if opts.Location, err = zoneParam(body.TZ); err != nil {
		writeError(w, err)
		return
	}
	for _, sh := range body.Sheets {
		if _, err := report.ParseSheets(sh); err != nil {
			writeError(w, err)
			return
		}
	}
	opts.Sheets = body.Sheets
	if body.Path != "" && !s.LocalPaths {
		writeError(w, audit.Errorf("forbidden", "this server writes reports inside the case only"))
		return
	}
	if body.Path != "" && !filepath.IsAbs(body.Path) {
		writeError(w, audit.Errorf(audit.EINVALID, "the report path must be absolute"))
		return
	}
	job, err := s.c.StartReport(q, opts, body.Path)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, job)
}

func (s *Server) reportStatus(w http.ResponseWriter, r *http.Request) {
	job, err := s.c.ReportJob(r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, job)
}

// stopReport ends a running report; it leaves no file.
func (s *Server) stopReport(w http.ResponseWriter, r *http.Request) {
	job, err := s.c.StopReport(r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, job)
}

// reportFile downloads a finished report.
func (s *Server) reportFile(w http.ResponseWriter, r *http.Request) {
	job, err := s.c.ReportJob(r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	if job.State != "done" {
		writeError(w, audit.Errorf(audit.ECONFLICT, "the report is %s", job.State))
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filepath.Base(job.Path)+`"`)
	http.ServeFile(w, r, job.Path)
}

// zoneParam reads the zone a request names: "" or UTC, "local" (this
// server's), or an IANA name.
func zoneParam(tz string) (*time.Location, error) {
	switch tz {
	case "", "UTC":
		return time.UTC, nil
	case "local":
		return time.Local, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return nil, audit.Errorf(audit.EINVALID, "unknown time zone %q: give an IANA name such as Europe/Berlin", tz)
	}
	return loc, nil
}
