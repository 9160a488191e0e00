package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"auditlens/backend/audit"
)

// maxUpload bounds one upload request.
const maxUpload = 8 << 30

// startImport starts an import of uploaded files (multipart "files") or of
// paths on this machine (JSON {"paths": [...]}); the UI polls its progress.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request) {
	if err := s.c.Writes("import"); err != nil { // (before an upload is saved into it)
		writeError(w, err)
		return
	}
	var paths []string
	format := r.URL.Query().Get("format")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		var err error
		if paths, err = s.saveUploads(r); err != nil {
			writeError(w, err)
			return
		}
	} else {
		var body struct {
			Paths  []string `json:"paths"`
			Format string   `json:"format"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
			writeError(w, audit.Errorf(audit.EINVALID, "send files, or JSON {\"paths\": [...]}: %v", err))
			return
		}
		if !s.LocalPaths {
			writeError(w, audit.Errorf("forbidden", "this server takes uploads only: it does not read paths on its machine"))
			return
		}
		paths, format = body.Paths, body.Format
	}
	if len(paths) == 0 {
		writeError(w, audit.Errorf(audit.EINVALID, "nothing to import"))
		return
	}
	writeJSON(w, http.StatusAccepted, s.c.StartImport(paths, format))
}

// saveUploads keeps uploaded files in the case's uploads/ folder (the case
// holds its evidence), under names the server chooses: the client's name is
// reduced to its base and prefixed, never used as a path.
func (s *Server) saveUploads(r *http.Request) ([]string, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, audit.Errorf(audit.EINVALID, "unreadable upload: %v", err)
	}
	dir := filepath.Join(s.c.Dir, "uploads", time.Now().UTC().Format("20060102T150405.000000000"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	var total int64
	for i := 1; ; i++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, audit.Errorf(audit.EINVALID, "unreadable upload: %v", err)
		}
		if part.FormName() != "files" || part.FileName() == "" {
			continue
		}
		name := filepath.Base(filepath.Clean("/" + strings.ReplaceAll(part.FileName(), "\\", "/")))
		if name == "/" || name == "." {
			name = "upload"
		}
		p := filepath.Join(dir, fmt.Sprintf("%03d-%s", i, name))
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		n, err := io.Copy(f, io.LimitReader(part, maxUpload-total+1))
		f.Close()
		total += n
		if err != nil {
			return nil, err
		}
		if total > maxUpload {
			return nil, audit.Errorf(audit.EINVALID, "the upload is larger than %d GiB: import it from a path instead", maxUpload>>30)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func (s *Server) importStatus(w http.ResponseWriter, r *http.Request) {
	job, ok := s.c.Job(r.PathValue("id"))
	if !ok {
		writeError(w, audit.Errorf(audit.ENOTFOUND, "no import %q", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, job)
}

// stopImport ends a running import at its next batch (what it stored
// stays); the UI keeps polling until the job says "stopped".
func (s *Server) stopImport(w http.ResponseWriter, r *http.Request) {
	job, err := s.c.StopImport(r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, job)
}

func (s *Server) startDemo(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Events int    `json:"events"`
		Seed   uint64 `json:"seed"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil {
		writeError(w, audit.Errorf(audit.EINVALID, "send JSON {\"events\": N}: %v", err))
		return
	}
	if body.Seed == 0 {
		body.Seed = 1
	}
	job, err := s.c.StartDemo(body.Events, body.Seed)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, job)
}
